using System.Collections;
using System.Diagnostics;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace PooledGen.Generators.Tests.Generator;

/// <summary>The generator's behaviour: what it serves, what it skips, that its output compiles, that it never throws.</summary>
public class PooledGeneratorTests
{
    // Every supported shape at once; also the input of the compile and caching tests.
    internal const string SupportedShapes = """
        #pragma warning disable CS0649 // fields of non-public test structs exist for their layout
        using System.Runtime.InteropServices;
        using PooledGen;

        [Pooled] public partial struct InGlobalNamespace { public int A; }

        namespace Game
        {
            [Pooled] public partial struct Particle { public System.Numerics.Vector3 Position; public float Life; }
            [Pooled] internal readonly partial struct Frozen { public readonly long A; }
            [Pooled] public partial record struct Hit(int Target, float Damage);
            [Pooled] public readonly partial record struct Stamp(long Ticks);
            [Pooled] public unsafe partial struct Name { public fixed char Chars[15]; public byte Length; }
            [Pooled, StructLayout(LayoutKind.Explicit)] public partial struct Union { [FieldOffset(0)] public long L; [FieldOffset(0)] public double D; }
            [Pooled] public partial struct Unknown { public System.Numerics.Vector<float> Lanes; }
            [Pooled] public unsafe partial struct Large { public fixed byte Data[600]; }

            public static partial class Outer
            {
                [Pooled] private partial struct Private { public byte A; }
                internal partial record Records { [Pooled] protected internal partial struct InRecord { public short A; } }
                public partial struct InStruct { [Pooled] internal partial struct Deepest { public int A; } }
                public partial interface IHolder { [Pooled] public partial struct InInterface { public int A; } }
            }
        }
        """;

    [Fact]
    public void Generates_one_file_per_struct_named_by_namespace_and_nesting()
    {
        var driver = GeneratorTestHelpers.RunGenerator(GeneratorTestHelpers.CreateCompilation(SupportedShapes), out _);

        Assert.Equal(
            new[]
            {
                "Game.Frozen.g.cs", "Game.Hit.g.cs", "Game.Large.g.cs", "Game.Name.g.cs", "Game.Outer.IHolder.InInterface.g.cs",
                "Game.Outer.InStruct.Deepest.g.cs", "Game.Outer.Private.g.cs", "Game.Outer.Records.InRecord.g.cs", "Game.Particle.g.cs",
                "Game.Stamp.g.cs", "Game.Union.g.cs", "Game.Unknown.g.cs", "InGlobalNamespace.g.cs",
            },
            GeneratorTestHelpers.GeneratedSources(driver).Keys.OrderBy(k => k, StringComparer.Ordinal));
    }

    [Fact]
    public void Generated_code_for_every_supported_shape_compiles_without_errors_or_warnings()
    {
        // Documentation diagnostics on: a public generated member without XML docs would warn (CS1591).
        var compilation = GeneratorTestHelpers.CreateCompilation(SupportedShapes);
        var parse = GeneratorTestHelpers.ParseOptions.WithDocumentationMode(DocumentationMode.Diagnose);
        compilation = compilation.RemoveAllSyntaxTrees().AddSyntaxTrees(CSharpSyntaxTree.ParseText(SupportedShapes, parse));

        GeneratorTestHelpers.RunGenerator(compilation, out var output);

        Assert.Equal(14, output.SyntaxTrees.Count());
        var generatedTrees = output.SyntaxTrees.Skip(1).ToHashSet();
        var problems = output.GetDiagnostics()
            .Where(d => d.Severity == DiagnosticSeverity.Error || (d.Severity == DiagnosticSeverity.Warning && generatedTrees.Contains(d.Location.SourceTree!)))
            .ToList();
        Assert.Empty(problems);
    }

    [Fact]
    public void Generated_members_are_what_generic_code_and_users_call()
    {
        var compilation = GeneratorTestHelpers.CreateCompilation(SupportedShapes, """
            using PooledGen;
            static class Use
            {
                static Pooled<T> Make<T>() where T : unmanaged, IPooled<T> => T.Alloc();
                static void Run()
                {
                    var p = Game.Particle.Alloc();
                    p.Value.Life = 1f;
                    Game.Particle.Free(p);
                    var h = Make<Game.Hit>();
                    Game.Hit.Free(h);
                    var s = Game.Stamp.Alloc(new Game.Stamp(5));
                    Game.Stamp.Free(s);
                    const int size = Game.Particle.PooledSize + Game.Particle.PooledBlockSize + Game.Large.PooledBlockSize + Game.Unknown.PooledSize;
                    _ = size;
                }
            }
            """);

        GeneratorTestHelpers.RunGenerator(compilation, out var output);

        Assert.Empty(GeneratorTestHelpers.ErrorsAndWarnings(output));
    }

    [Fact]
    public void A_wrong_compile_time_size_is_caught_before_the_first_allocation()
    {
        // Pretend the layout engine got it wrong: patch the generated PooledSize, then allocate at run time.
        var user = "using PooledGen; namespace Game { [Pooled] public partial struct Pair { public long A; public byte B; } }";
        var generated = GeneratorTestHelpers.GenerateSingle(user).Replace("PooledSize = 16;", "PooledSize = 9;", StringComparison.Ordinal);
        var compilation = GeneratorTestHelpers.CreateCompilation(user, generated);
        using var stream = new MemoryStream();
        Assert.True(compilation.Emit(stream).Success);
        stream.Position = 0;
        var context = new System.Runtime.Loader.AssemblyLoadContext("SizeMismatch", isCollectible: true);
        try
        {
            var alloc = context.LoadFromStream(stream).GetType("Game.Pair", throwOnError: true)!.GetMethod("Alloc", Type.EmptyTypes)!;

            var error = Assert.Throws<TargetInvocationException>(() => alloc.Invoke(null, null));

            var initialisation = Assert.IsType<TypeInitializationException>(error.InnerException);
            var mismatch = Assert.IsType<InvalidOperationException>(initialisation.InnerException);
            // The runtime's wording may change; it must name the type and both sizes.
            Assert.Contains("Game.Pair", mismatch.Message, StringComparison.Ordinal);
            Assert.Matches(@"\b9\b", mismatch.Message);
            Assert.Matches(@"\b16\b", mismatch.Message);
        }
        finally
        {
            context.Unload();
        }
    }

    [Theory]
    [InlineData("[Pooled] struct NotPartial { public int A; }")]
    [InlineData("class Outer { [Pooled] partial struct ContainerNotPartial { public int A; } }")]
    [InlineData("[Pooled] partial struct HoldsString { public string Name; }")]
    [InlineData("struct Holder { public object O; } [Pooled] partial struct HoldsNested { public Holder H; }")]
    [InlineData("[Pooled] partial struct Generic<T> where T : unmanaged { public T A; }")]
    [InlineData("partial class Outer<T> { [Pooled] partial struct InGeneric { public int A; } }")]
    [InlineData("[Pooled] ref partial struct RefStruct { public int A; }")]
    [InlineData("[Pooled] file partial struct FileLocal { public int A; }")]
    public void Skips_structs_that_cannot_be_pooled_and_leaves_them_to_the_analyzer(string source)
    {
        var driver = GeneratorTestHelpers.RunGenerator(GeneratorTestHelpers.CreateCompilation("using PooledGen;\n" + source), out _);

        var result = driver.GetRunResult().Results.Single();
        Assert.Null(result.Exception);
        Assert.Empty(result.GeneratedSources);
        Assert.Empty(result.Diagnostics);
    }

    [Fact]
    public void The_attribute_is_found_however_it_is_spelled()
    {
        var compilation = GeneratorTestHelpers.CreateCompilation("""
            #pragma warning disable CS0649 // fields exist for their layout
            using P = PooledGen.PooledAttribute;
            [P] partial struct ByAlias { public int A; }
            [global::PooledGen.Pooled] partial struct FullyQualified { public int A; }
            [PooledGen.PooledAttribute] partial struct WithSuffix { public int A; }
            public readonly ref partial struct RefOuter { [PooledGen.Pooled] internal partial struct InRefStruct { public int A; } }
            """);

        var driver = GeneratorTestHelpers.RunGenerator(compilation, out var output);

        Assert.Equal(
            new[] { "ByAlias.g.cs", "FullyQualified.g.cs", "RefOuter.InRefStruct.g.cs", "WithSuffix.g.cs" },
            GeneratorTestHelpers.GeneratedSources(driver).Keys.OrderBy(k => k, StringComparer.Ordinal));
        Assert.Empty(GeneratorTestHelpers.ErrorsAndWarnings(output));
    }

    [Fact]
    public void A_struct_marked_on_two_partial_parts_is_generated_once()
    {
        var source = GeneratorTestHelpers.GenerateSingle(
            "using PooledGen; [Pooled] partial struct Twice { public int A; }",
            "using PooledGen; [Pooled] partial struct Twice { public int B; }");

        Assert.Contains("public const int PooledSize = 8;", source, StringComparison.Ordinal);
    }

    [Fact]
    public void Names_that_differ_only_in_case_get_distinct_hint_names_and_compile()
    {
        var compilation = GeneratorTestHelpers.CreateCompilation("""
            using PooledGen;
            [Pooled] public partial struct Case { public int A; }
            [Pooled] public partial struct CASE { public long A; }
            namespace N { [Pooled] public partial struct S { public int A; } }
            namespace n { [Pooled] public partial struct S { public int A; } }
            """);

        var driver = GeneratorTestHelpers.RunGenerator(compilation, out var output);

        var hints = GeneratorTestHelpers.GeneratedSources(driver).Keys.ToList();
        Assert.Equal(4, hints.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.All(hints, h => Assert.Matches(@"^(Case|CASE|N\.S|n\.S)\.[0-9a-f]{8}\.g\.cs$", h));
        Assert.Empty(GeneratorTestHelpers.ErrorsAndWarnings(output));
    }

    [Theory]
    [InlineData("[Pooled] partial struct")]
    [InlineData("[Pooled] partial struct S { Missing M; }")]
    [InlineData("[Pooled] partial struct S : { int x")]
    [InlineData("[Pooled(1, 2)] partial struct S { }")]
    [InlineData("[Pooled] partial struct S { public S Self; }")]
    [InlineData("[Pooled] partial struct A { public B B; } [Pooled] partial struct B { public A A; }")]
    [InlineData("[Pooled] unsafe partial struct S { fixed int B[-1]; fixed Missing C[2]; }")]
    [InlineData("[Pooled][Pooled] partial struct S { }")]
    [InlineData("[System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Explicit)] [Pooled] partial struct S { int X; }")]
    [InlineData("[System.Runtime.InteropServices.StructLayout((System.Runtime.InteropServices.LayoutKind)99, Pack = 3, Size = -5)] [Pooled] partial struct S { int X; }")]
    [InlineData("[System.Runtime.InteropServices.StructLayout(Missing.Value)] [Pooled] partial struct S { int X; }")]
    [InlineData("[System.Runtime.CompilerServices.InlineArray(-1)] [Pooled] partial struct S { int E; }")]
    [InlineData("namespace { [Pooled] partial struct S { } }")]
    [InlineData("[Pooled] partial record struct R(Missing M, int N);")]
    [InlineData("[Pooled] partial struct S(int x) { int Y = x; Missing Z; }")]
    [InlineData("[Pooled] partial struct Dup { } [Pooled] partial record struct Dup;")]
    [InlineData("[Pooled] partial struct Case { } [Pooled] partial struct CASE { } namespace N { [Pooled] partial struct S { } } namespace n { [Pooled] partial struct S { } }")]
    [InlineData("[Pooled] partial struct S { public System.Collections.Generic.KeyValuePair<Missing, int> P; public (int, Missing) T; }")]
    [InlineData("[Pooled] partial struct S { public G<int> A; } struct G<X> { public G<G<X>> Deeper; }")]
    [InlineData("[Pooled] partial struct S { public int A; public int A; }")]
    [InlineData("[Pooled] partial struct S { public E A; } enum E : Missing { X }")]
    [InlineData("[Pooled] partial struct @class { } [Pooled] partial struct S { public @class C; public delegate*<Missing> F; }")]
    public void Never_throws_on_junk_input(string source)
    {
        var driver = GeneratorTestHelpers.RunGenerator(GeneratorTestHelpers.CreateCompilation("using PooledGen;\n" + source), out var output);

        var result = driver.GetRunResult().Results.Single();
        Assert.Null(result.Exception);
        Assert.DoesNotContain(output.GetDiagnostics(), d => d.Id is "CS8784" or "CS8785");
    }

    [Fact]
    public void Two_thousand_pooled_structs_generate_without_pathological_slowness()
    {
        var source = new System.Text.StringBuilder("using PooledGen;\nnamespace Many\n{\n");
        for (var i = 0; i < 2000; i++)
        {
            source.Append("    [Pooled] public partial struct S").Append(i).Append(" { public long A; public byte B; public S").Append(i == 0 ? 0 : i - 1).Append("Inner C; }\n");
            source.Append("    public struct S").Append(i).Append("Inner { public int X; public short Y; }\n");
        }

        source.Append("}\n");
        var compilation = GeneratorTestHelpers.CreateCompilation(source.ToString());

        var watch = Stopwatch.StartNew();
        var driver = GeneratorTestHelpers.RunGenerator(compilation, out _);
        watch.Stop();

        Assert.Equal(2000, driver.GetRunResult().Results.Single().GeneratedSources.Length);
        // A guard against quadratic work, not a benchmark: a cold run on a busy 2-core machine takes well under this.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"2,000 structs took {watch.Elapsed}");
    }
}
