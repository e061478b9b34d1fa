using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using PooledGen.Generators.Targets;

namespace PooledGen.Generators.Tests.Generator;

/// <summary>
/// A struct that already declares a member the generator would add is skipped, not broken (the analyzer says why,
/// PG0004); a legal overload of a generated method is no clash and is generated as usual.
/// </summary>
public class GeneratedMemberClashTests
{
    // Each compiles alone; each would not compile beside the generated part.
    public static TheoryData<string> ClashingShapes() => new()
    {
        "partial struct S { public int X; public static Pooled<S> Alloc() => default; }",
        "partial struct S { public int X; public int Alloc() => 0; }",
        "partial struct S { public int X; public static Pooled<S> Alloc(in S value) => default; }",
        "partial struct S { public int X; public Pooled<S> Alloc(scoped in S value) => default; }",
        "partial struct S { public int X; public static Pooled<S> Alloc(ref S value) => default; }",
        "partial struct S { public int X; public static void Alloc(out S value) => value = default; }",
        "partial struct S { public int X; public static Pooled<S> Alloc(ref readonly S value) => default; }",
        "partial struct S { public int X; public void Free(Pooled<S> item) { } }",
        "partial struct S { public int X; public static bool Free(PooledGen.Pooled<S> item) => true; }",
        "partial struct S { public int X; public const int PooledSize = 1; }",
        "partial struct S { public int X; public static int PooledBlockSize() => 0; }",
        "partial struct S { public int X; private sealed class __PooledGenTypeCheck { } }",
        "partial struct S { public int X; public int Alloc { get; set; } }",
        "partial struct S { public int X; public int Free; }",
        "partial struct S { public int X; public struct Alloc { } }",
        "partial struct S { public int X; public delegate void Free(); }",
        "partial struct S { public int X; [System.Runtime.CompilerServices.IndexerName(\"Alloc\")] public int this[int i] => i; }",
        "partial record struct S(int Alloc);",
        "partial struct Alloc { public int X; }",
        "partial struct Free { public int X; }",
        "partial struct PooledSize { public int X; }",
        "partial struct S { public int X; public static int Alloc() => 0; public void Free() { } public const int PooledSize = 1; }",
    };

    // Each compiles beside the generated part: overloads C# tells apart, and explicit interface implementations.
    public static TheoryData<string> LegalShapes() => new()
    {
        "partial struct S { public int X; public static Pooled<S> Alloc(int count) => default; }",
        "partial struct S { public int X; public static Pooled<S> Alloc(S value) => default; }",
        "partial struct S { public int X; public static Pooled<S> Alloc(S? value) => default; }",
        "partial struct S { public int X; public static Pooled<S> Alloc(in S value, int count) => default; }",
        "partial struct S { public int X; public static Pooled<T> Alloc<T>() where T : unmanaged => default; }",
        "partial struct S { public int X; public static void Alloc(__arglist) { } }",
        "partial struct S { public int X; public void Free() { } }",
        "partial struct S { public int X; public static void Free(ref Pooled<S> item) => item = default; }",
        "partial struct S { public int X; public static void Free(in Pooled<S> item) { } }",
        "partial struct S { public int X; public static void Free(Pooled<int> item) { } }",
        "partial struct S : IPooled<S> { public int X; static Pooled<S> IPooled<S>.Alloc() => default; static void IPooled<S>.Free(Pooled<S> item) { } }",
        "partial struct S { public int X; public const int pooledSize = 4; public static void alloc() { } }",
    };

    [Theory]
    [MemberData(nameof(ClashingShapes))]
    public void A_struct_declaring_a_generated_member_generates_nothing_and_adds_no_error(string shape)
    {
        var compilation = GeneratorTestHelpers.CreateCompilation(Pooled(shape));
        Assert.Empty(GeneratorTestHelpers.ErrorsAndWarnings(compilation));

        var driver = GeneratorTestHelpers.RunGenerator(compilation, out var output);

        Assert.Empty(GeneratorTestHelpers.GeneratedSources(driver));
        Assert.Empty(GeneratorTestHelpers.ErrorsAndWarnings(output));
    }

    [Theory]
    [MemberData(nameof(LegalShapes))]
    public void A_legal_overload_is_no_clash_and_both_the_generated_members_and_the_users_bind(string shape)
    {
        var compilation = GeneratorTestHelpers.CreateCompilation(Pooled(shape), """
            static class Use
            {
                static void Run()
                {
                    var handle = S.Alloc();
                    S.Free(handle);
                    S.Free(S.Alloc(new S()));
                }
            }
            """);

        var driver = GeneratorTestHelpers.RunGenerator(compilation, out var output);

        Assert.Equal(new[] { "S.g.cs" }, GeneratorTestHelpers.GeneratedSources(driver).Keys);
        Assert.Empty(GeneratorTestHelpers.ErrorsAndWarnings(output));
    }

    [Fact]
    public void A_clashing_member_in_another_part_skips_the_struct()
    {
        var driver = GeneratorTestHelpers.RunGenerator(
            GeneratorTestHelpers.CreateCompilation("[PooledGen.Pooled] public partial struct S { public int X; }", "public partial struct S { public static int Alloc() => 0; }"),
            out var output);

        Assert.Empty(GeneratorTestHelpers.GeneratedSources(driver));
        Assert.Empty(GeneratorTestHelpers.ErrorsAndWarnings(output));
    }

    [Fact]
    public void Adding_a_clashing_member_in_another_file_removes_the_generated_part_and_renaming_it_brings_it_back()
    {
        var compilation = GeneratorTestHelpers.CreateCompilation("[PooledGen.Pooled] public partial struct S { public long A, B; }", "public partial struct S { }");
        var other = compilation.SyntaxTrees.Last();
        var driver = GeneratorTestHelpers.RunGenerator(compilation, out _);
        Assert.Single(GeneratorTestHelpers.GeneratedSources(driver));

        var clashing = compilation.ReplaceSyntaxTree(other, other.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From("public partial struct S { public const int PooledSize = 1; }")));
        driver = GeneratorTestHelpers.RunGenerator(clashing, out var output, driver);
        Assert.Empty(GeneratorTestHelpers.GeneratedSources(driver));
        Assert.Empty(GeneratorTestHelpers.ErrorsAndWarnings(output));

        var renamed = compilation.ReplaceSyntaxTree(other, other.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From("public partial struct S { public const int Size = 16; }")));
        driver = GeneratorTestHelpers.RunGenerator(renamed, out output, driver);
        Assert.Single(GeneratorTestHelpers.GeneratedSources(driver));
        Assert.Empty(GeneratorTestHelpers.ErrorsAndWarnings(output));
    }

    [Fact]
    public void The_generated_part_is_no_clash_with_itself_when_the_rule_sees_it_as_the_analyzer_does()
    {
        GeneratorTestHelpers.RunGenerator(GeneratorTestHelpers.CreateCompilation(Pooled("partial struct S { public int X; }")), out var output);
        var type = output.GetTypeByMetadataName("S")!;
        Assert.Contains(type.GetMembers("Alloc"), m => m.DeclaringSyntaxReferences.Any(r => r.SyntaxTree.FilePath.EndsWith("S.g.cs", StringComparison.Ordinal)));

        var verdict = PooledTargetRules.Check(type, CancellationToken.None);

        Assert.Equal(PooledTargetProblem.None, verdict.Problem);
        Assert.Empty(verdict.MemberClashes);
    }

    [Fact]
    public void A_legal_Free_overload_leaves_the_generated_documentation_unambiguous()
    {
        var parse = GeneratorTestHelpers.ParseOptions.WithDocumentationMode(DocumentationMode.Diagnose);
        var source = """
            using PooledGen;
            /// <summary>A pooled struct.</summary>
            [Pooled] public partial struct S
            {
                /// <summary>A field.</summary>
                public int X;

                /// <summary>Clears the struct.</summary>
                public void Free() => X = 0;
            }
            """;
        var compilation = GeneratorTestHelpers.CreateCompilation().AddSyntaxTrees(CSharpSyntaxTree.ParseText(source, parse));

        CSharpGeneratorDriver.Create([new PooledGenerator().AsSourceGenerator()], parseOptions: parse)
            .RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);

        Assert.Empty(GeneratorTestHelpers.ErrorsAndWarnings(output));
    }

    private static string Pooled(string shape) =>
        "using PooledGen;\n#pragma warning disable CS0169, CS0649 // fields exist for their layout\n[Pooled] public " + shape;
}
