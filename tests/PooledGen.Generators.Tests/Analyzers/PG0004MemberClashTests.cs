using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;
using PooledGen.Generators.Diagnostics;
using PooledGen.Generators.Tests.Generator;
using static PooledGen.Generators.Tests.Analyzers.PooledAnalyzerTest;

namespace PooledGen.Generators.Tests.Analyzers;

/// <summary>
/// PG0004 for a struct that declares a member PooledGen generates (the generator skips it): one diagnostic per clash, on
/// the user's member, or on the struct's name when that is the clash. Legal overloads get nothing.
/// </summary>
public class PG0004MemberClashTests
{
    private static DiagnosticResult Clash(int location, string type, string reason) =>
        new DiagnosticResult(DiagnosticDescriptors.UnsupportedTarget).WithLocation(location).WithArguments(type, reason);

    private static DiagnosticResult Declares(int location, string member) =>
        Clash(location, "S", $"it declares '{member}', a member PooledGen generates; rename it");

    private static DiagnosticResult ClashesWith(int location, string member, string generated) =>
        Clash(location, "S", $"it declares '{member}', which clashes with '{generated}', a member PooledGen generates; rename it");

    [Fact]
    public Task Method_with_the_signature_of_Alloc_is_reported_on_it_whatever_its_return_type() =>
        VerifyAsync(
            """
            using PooledGen;
            [Pooled] public partial struct S { public long A, B; public static int {|#0:Alloc|}() => 0; }
            """,
            Declares(0, "Alloc()"));

    [Fact]
    public Task Method_with_the_signature_of_the_copying_Alloc_is_reported() =>
        VerifyAsync(
            """
            using PooledGen;
            [Pooled] public partial struct S { public long A, B; public Pooled<S> {|#0:Alloc|}(in S value) => default; }
            """,
            Declares(0, "Alloc(in S)"));

    [Fact]
    public Task Alloc_differing_only_by_ref_or_out_is_reported_as_the_compiler_would_refuse_it() =>
        VerifyAsync(
            """
            using PooledGen;
            [Pooled] public partial struct S
            {
                public long A, B;
                public static Pooled<S> {|#0:Alloc|}(ref S value) => default;
                public static void Alloc(out S value, int count = 0) => value = default;
            }
            """,
            ClashesWith(0, "Alloc(ref S)", "Alloc(in S)"));

    [Fact]
    public Task Method_with_the_signature_of_Free_is_reported_even_as_an_instance_method() =>
        VerifyAsync(
            """
            using PooledGen;
            [Pooled] public partial struct S { public long A, B; public void {|#0:Free|}(Pooled<S> item) { } }
            """,
            Declares(0, "Free(Pooled<S>)"));

    [Fact]
    public Task Methods_with_the_signatures_of_the_LocalHeap_members_are_reported() =>
        VerifyAsync(
            """
            using PooledGen;
            [Pooled] public partial struct S
            {
                public long A, B;
                public static Pooled<S> {|#0:Alloc|}(LocalHeap heap) => default;
                public static Pooled<S> {|#1:Alloc|}(LocalHeap heap, ref S value) => default;
                public static void {|#2:Free|}(LocalHeap heap, Pooled<S> item) { }
            }
            """,
            Declares(0, "Alloc(LocalHeap)"),
            ClashesWith(1, "Alloc(LocalHeap, ref S)", "Alloc(LocalHeap, in S)"),
            Declares(2, "Free(LocalHeap, Pooled<S>)"));

    [Fact]
    public Task Overloads_beside_the_LocalHeap_members_are_legal() =>
        VerifyAsync(
            """
            using PooledGen;
            [Pooled] public partial struct S
            {
                public long A, B;
                public static Pooled<S> Alloc(LocalHeap heap, S value) => default;
                public static Pooled<S> Alloc(LocalHeap heap, int count) => default;
                public static void Free(LocalHeap heap, ref Pooled<S> item) { }
                public static void Free(Pooled<S> item, LocalHeap heap) { }
                public static Pooled<S> Alloc<T>(LocalHeap heap) => default;
            }
            """);

    [Fact]
    public Task Constants_and_the_check_class_clash_by_name_with_anything() =>
        VerifyAsync(
            """
            using PooledGen;
            [Pooled] public partial struct S
            {
                public long A, B;
                public const int {|#0:PooledSize|} = 16;
                public static int {|#1:PooledBlockSize|}() => 16;
                private static class {|#2:__PooledGenTypeCheck|} { }
            }
            """,
            Declares(0, "PooledSize"),
            ClashesWith(1, "PooledBlockSize()", "PooledBlockSize"),
            Declares(2, "__PooledGenTypeCheck"));

    [Fact]
    public Task Property_field_nested_type_or_delegate_named_Alloc_or_Free_is_reported() =>
        VerifyAsync(
            """
            using PooledGen;
            [Pooled] public partial struct S
            {
                public long A, B;
                public int {|#0:Alloc|} => 0;
                public delegate void {|#1:Free|}();
            }
            [Pooled] public partial struct T { public long A; public int {|#2:Free|}; public struct {|#3:Alloc|} { } }
            """,
            ClashesWith(0, "Alloc", "Alloc()"),
            ClashesWith(1, "Free", "Free(Pooled<S>)"),
            Clash(2, "T", "it declares 'Free', which clashes with 'Free(Pooled<T>)', a member PooledGen generates; rename it"),
            Clash(3, "T", "it declares 'Alloc', which clashes with 'Alloc()', a member PooledGen generates; rename it"));

    [Fact]
    public Task Indexer_renamed_to_Alloc_is_reported_on_this() =>
        VerifyAsync(
            """
            using PooledGen;
            [Pooled] public partial struct S { public long A, B; [System.Runtime.CompilerServices.IndexerName("Alloc")] public long {|#0:this|}[int i] => A; }
            """,
            ClashesWith(0, "[IndexerName(\"Alloc\")] this[int]", "Alloc()"));

    [Fact]
    public Task Positional_record_parameter_is_reported_on_the_parameter() =>
        VerifyAsync(
            """
            using PooledGen;
            [Pooled] public partial record struct S(long {|#0:Alloc|}, long B);
            """,
            ClashesWith(0, "Alloc", "Alloc()"));

    [Fact]
    public Task Struct_named_like_a_generated_member_is_reported_on_its_name() =>
        VerifyAsync(
            """
            using PooledGen;
            [Pooled] public partial struct {|#0:Alloc|} { public long A, B; }
            """,
            Clash(0, "Alloc", "its name is that of 'Alloc()', a member PooledGen generates in it, and a member cannot be named like its type; rename the struct"));

    [Fact]
    public Task Member_in_another_part_is_reported_where_it_is_declared() =>
        VerifyAsync(
            """
            using PooledGen;
            [Pooled] public partial struct S { public long A, B; }
            public partial struct S { public static Pooled<S> {|#0:Alloc|}() => default; }
            """,
            Declares(0, "Alloc()"));

    [Fact]
    public Task Clash_is_reported_beside_not_partial_and_the_size_diagnostics() =>
        VerifyAsync(
            """
            using PooledGen;
            [Pooled] public unsafe struct {|#0:Big|} { public fixed byte Data[600]; public static void {|#1:Free|}(Pooled<Big> item) { } }
            """,
            new DiagnosticResult(DiagnosticDescriptors.NotPartial).WithLocation(0).WithArguments("Big", "it"),
            Clash(1, "Big", "it declares 'Free(Pooled<Big>)', a member PooledGen generates; rename it"),
            new DiagnosticResult(DiagnosticDescriptors.TooLarge).WithLocation(0).WithArguments("Big", 600, 512, ": it is served by the large-object path, not pooled"));

    [Fact]
    public Task Legal_overloads_and_explicit_interface_implementations_get_nothing() =>
        VerifyAsync("""
            using PooledGen;
            [Pooled] public partial struct S : IPooled<S>
            {
                public long A, B;
                public static Pooled<S> Alloc(int count) => default;
                public static Pooled<S> Alloc(S value) => default;
                public static Pooled<T> Alloc<T>() where T : unmanaged => default;
                public void Free() { }
                public static void Free(ref Pooled<S> item) => item = default;
                static Pooled<S> IPooled<S>.Alloc() => default;
                static Pooled<S> IPooled<S>.Alloc(in S value) => default;
                static void IPooled<S>.Free(Pooled<S> item) { }
            }
            """);

    [Theory]
    [InlineData("[Pooled] public partial struct S { public long A, B; }")]
    [InlineData("[Pooled] public partial struct S { public long A, B; public static Pooled<S> Alloc(int count) => default; public void Free() { } }")]
    public async Task The_generated_part_is_not_reported_as_a_clash_with_itself(string source)
    {
        GeneratorTestHelpers.RunGenerator(GeneratorTestHelpers.CreateCompilation("using PooledGen;\n" + source), out var output);
        Assert.Equal(2, output.SyntaxTrees.Count());

        var diagnostics = await output
            .WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new PooledAnalyzer()))
            .GetAnalyzerDiagnosticsAsync();

        Assert.Empty(diagnostics);
    }
}
