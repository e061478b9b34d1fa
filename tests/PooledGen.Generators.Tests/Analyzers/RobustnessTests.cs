namespace PooledGen.Generators.Tests.Analyzers;

/// <summary>
/// Half-typed and wrong code, as an editor sees it between keystrokes: the analyzer must never throw (AD0001),
/// whatever else it reports.
/// </summary>
public class RobustnessTests
{
    public static TheoryData<string> BrokenSources() => new()
    {
        "[Pooled] partial struct",
        "[Pooled] partial struct S",
        "[Pooled] partial struct S {",
        "[Pooled] partial struct S { public int X",
        "[Pooled] partial struct S { public Missing X; }",
        "[Pooled] partial struct S { public Missing<int> X; public long Y; }",
        "[Pooled] partial struct S { public S Self; }",
        "[Pooled] partial struct A { public B B; } partial struct B { public A A; }",
        "[Pooled] partial struct S { public G<S> G; } struct G<T> { public T V; }",
        "[Pooled] partial struct S<T> { public S<S<T>> Inner; }",
        "[Pooled] unsafe partial struct S { public fixed int B[]; }",
        "[Pooled] unsafe partial struct S { public fixed int B[-1]; }",
        "[Pooled] unsafe partial struct S { public fixed Missing B[4]; }",
        "[System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Explicit)] [Pooled] partial struct S { public int A; }",
        "[System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential, Pack = 3)] [Pooled] partial struct S { public byte A; public long B; }",
        "[System.Runtime.InteropServices.StructLayout((System.Runtime.InteropServices.LayoutKind)99)] [Pooled] partial struct S { public int A; }",
        "[Pooled(] partial struct S { }",
        "[Pooled(1)] partial struct S { public int X; }",
        "[Pooled] [Pooled] partial struct S { public int X; }",
        "[Pooled] class C { }",
        "[Pooled] enum E { A }",
        "[Pooled] interface I { }",
        "[Pooled] delegate void D();",
        "[Pooled] record R(int X);",
        "[Pooled] partial record struct R(Missing X, int Y);",
        "[Pooled] partial record struct R(int X) { public byte B; public long L; }",
        "[Pooled] partial struct S { public int P { get => 1; set { } } public byte A; public long B; public byte C; }",
        "[Pooled] partial struct S { public int A, ; public long B; }",
        "[Pooled] partial struct S { public event System.Action E; }",
        "[Pooled] partial struct { public int X; }",
        "class Outer<T> { [Pooled] struct S { public T X; } }",
        "[Pooled] file struct S { public int X; }",
        "[Pooled] partial struct S { public (int, Missing) T; }",
        "[Pooled] partial struct S { public int? N; public System.Collections.Generic.KeyValuePair<int, Missing> K; }",
    };

    [Theory]
    [MemberData(nameof(BrokenSources))]
    public Task Analyzer_does_not_throw_on_broken_code(string source) => AssertNoAnalyzerExceptionAsync(source);

    // A size that overflows Int32 once multiplied out must be 'unknown' to the layout engine, not an OverflowException.
    [Fact]
    public Task Analyzer_does_not_throw_on_a_fixed_buffer_too_large_to_size() =>
        AssertNoAnalyzerExceptionAsync("[Pooled] unsafe partial struct S { public fixed int B[int.MaxValue]; }");

    private static async Task AssertNoAnalyzerExceptionAsync(string source)
    {
        var (diagnostics, exceptions) = await AnalyzerRun.RunAsync("using PooledGen;\n" + source);

        Assert.Empty(exceptions);
        Assert.DoesNotContain(diagnostics, d => d.Id == "AD0001");
    }
}
