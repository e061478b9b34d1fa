using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using PooledGen.Generators.Ownership;
using PooledGen.Generators.Tests.Infrastructure;

namespace PooledGen.Generators.Tests.Ownership;

/// <summary>The analyzer runs on every keystroke: half-typed code must never make it throw (AD0001).</summary>
public class OwnershipRobustnessTests
{
    private const string Sample = """
        class C
        {
            private List<Pooled<Particle>> _live = new();

            async Task<float> M(bool c, int n)
            {
                var h = Particle.Alloc();
                try
                {
                    for (var i = 0; i < n; i++)
                    {
                        using var g = PooledHeap.Alloc<int>();
                        if (c && !h.IsNull) { _live.Add(h); continue; }
                        switch (i) { case 1: g.Value = 2; break; default: throw new InvalidOperationException(); }
                    }

                    Action a = () => Particle.Free(h);
                    await Task.Yield();
                    return h.Value.X;
                }
                catch (Exception e) when (e.Message.Length > 0)
                {
                    Particle.Free(h);
                    throw;
                }
                finally
                {
                    if (!h.IsNull) h.Dispose();
                }
            }
        }
        """;

    public static TheoryData<string> HalfTypedCode() => new()
    {
        "class C { void M() { var h = Particle.Alloc( } }",
        "class C { void M() { var h = Particle.Alloc(); h. } }",
        "class C { void M() { Particle.Free(h); } }",
        "class C { void M() { using var h = ; } }",
        "class C { void M() { Pooled<Particle> h; if (h.IsNull) } }",
        "class C { void M() { Pooled<Unknown> h = Unknown.Alloc(); Unknown.Free(h); Unknown.Free(h); } }",
        "class C { void M() { var h = Particle.Alloc(); goto L; L: Particle.Free(h); goto L; } }",
        "class C { void M() { var h = Particle.Alloc(); try { } catch when ( } }",
        "class C { Pooled<Particle> P => Particle.Alloc(); Pooled<Particle> F = Particle.Alloc(); }",
        "class C { void M() { var (a, b) = (Particle.Alloc(), Particle.Alloc()); Particle.Free(a); } }",
        "class C { void M() { ref var r = ref Particle.Alloc(); var h = Particle.Alloc(); ref var s = ref h; Particle.Free(s); } }",
        "class C { IEnumerable<Pooled<Particle>> M() { var h = Particle.Alloc(); yield return h; Particle.Free(h); } }",
        "class C { void M() { lock (this) { var h = Particle.Alloc(); Particle.Free(h); } } }",
        "class C { unsafe void M() { var h = Particle.Alloc(); var p = &h; Particle.Free(*p); } }",
    };

    [Theory]
    [MemberData(nameof(HalfTypedCode))]
    public async Task Half_typed_code_never_throws(string code) => AssertNoAnalyzerException(await AnalyzeAsync(code));

    [Fact]
    public async Task Every_prefix_of_a_rich_sample_analyses_without_throwing()
    {
        for (var length = 0; length <= Sample.Length; length += 13)
        {
            AssertNoAnalyzerException(await AnalyzeAsync(Sample.Substring(0, length)));
        }
    }

    [Fact]
    public async Task A_long_method_with_many_handles_and_loops_is_analysed_to_the_end()
    {
        var body = new System.Text.StringBuilder();
        for (var i = 0; i < 150; i++)
        {
            body.AppendLine($"var h{i} = Particle.Alloc();");
            body.AppendLine($"for (var k{i} = 0; k{i} < n; k{i}++) {{ if (k{i} % 3 == 0) continue; h{i}.Value.X += k{i}; }}");
            body.AppendLine(i % 2 == 0 ? $"try {{ Helpers.Inspect(h{i}); }} finally {{ Particle.Free(h{i}); }}" : $"if (!h{i}.IsNull) Particle.Free(h{i});");
        }

        var watch = System.Diagnostics.Stopwatch.StartNew();
        var diagnostics = await AnalyzeAsync("class C { void M(int n) {\n" + body + "var last = Particle.Alloc();\n} }");
        Assert.Equal("PG0012", Assert.Single(diagnostics).Id);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"took {watch.Elapsed}");
    }

    private static async Task<ImmutableArray<Diagnostic>> AnalyzeAsync(string code)
    {
        var tree = CSharpSyntaxTree.ParseText(OwnershipTestSource.Prelude + code, new CSharpParseOptions(LanguageVersion.Latest));
        var compilation = CSharpCompilation.Create(
            "HalfTyped",
            [tree],
            TestReferences.All,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true));
        var exceptions = new List<Exception>();
        var options = new CompilationWithAnalyzersOptions(
            new AnalyzerOptions([]),
            (exception, _, _) => exceptions.Add(exception),
            concurrentAnalysis: false,
            logAnalyzerExecutionTime: false);
        var diagnostics = await compilation
            .WithAnalyzers([OwnershipTestSource.StrictAnalyzer()], options)
            .GetAnalyzerDiagnosticsAsync();
        Assert.Empty(exceptions);
        return diagnostics;
    }

    private static void AssertNoAnalyzerException(ImmutableArray<Diagnostic> diagnostics) =>
        Assert.DoesNotContain(diagnostics, d => d.Id == "AD0001");
}
