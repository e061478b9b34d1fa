using Microsoft.CodeAnalysis;
using PooledGen.Generators.Targets;

namespace PooledGen.Generators.Tests.Generator;

/// <summary>The one decision both the generator and the analyzer use: can this [Pooled] type be pooled, and if not, why.</summary>
public class PooledTargetRulesTests
{
    private static PooledTargetVerdict Check(string source, string metadataName)
    {
        var compilation = GeneratorTestHelpers.CreateCompilation("using PooledGen;\n" + source);
        // File-local types have mangled metadata names: find those by their simple name.
        var symbol = compilation.GetTypeByMetadataName(metadataName)
            ?? compilation.GetSymbolsWithName(metadataName, SymbolFilter.Type).OfType<INamedTypeSymbol>().Single();
        return PooledTargetRules.Check(symbol, CancellationToken.None);
    }

    [Theory]
    [InlineData("[Pooled] partial struct S { int X; }", "S")]
    [InlineData("namespace N { partial class C { [Pooled] readonly partial record struct S(int X); } }", "N.C+S")]
    [InlineData("[Pooled] unsafe partial struct S { fixed byte B[3]; }", "S")]
    public void Partial_unmanaged_structs_can_be_pooled(string source, string name) =>
        Assert.Equal(PooledTargetProblem.None, Check(source, name).Problem);

    [Theory]
    [InlineData("partial class S { }", "S", "NotAStruct", "it is a class; only structs can be pooled")]
    [InlineData("partial record S;", "S", "NotAStruct", "it is a record class; only structs can be pooled")]
    [InlineData("partial interface S { }", "S", "NotAStruct", "it is an interface; only structs can be pooled")]
    [InlineData("enum S { }", "S", "NotAStruct", "it is an enum; only structs can be pooled")]
    [InlineData("ref partial struct S { }", "S", "RefStruct", "it is a ref struct, which cannot live in pooled memory")]
    [InlineData("partial struct S<T> { }", "S`1", "OpenGeneric", "it is generic; only non-generic structs can be pooled")]
    [InlineData("partial class G<T> { partial struct S { } }", "G`1+S", "NestedInGenericType", "it is nested in the generic type 'G<T>'")]
    [InlineData("file partial struct S { }", "S", "FileLocal", "it is a file-local type, so its generated part cannot be in another file")]
    public void Unsupported_targets_say_why(string source, string name, string problem, string reason)
    {
        var verdict = Check(source, name);

        Assert.Equal(problem, verdict.Problem.ToString());
        Assert.Equal(reason, verdict.UnsupportedReason);
        Assert.False(verdict.CanBePooled);
    }

    [Fact]
    public void Every_non_partial_type_in_the_chain_is_listed_innermost_first()
    {
        var verdict = Check("class Outer { partial class Middle { struct S { } } }", "Outer+Middle+S");

        Assert.Equal(PooledTargetProblem.NotPartial, verdict.Problem);
        Assert.Equal(new[] { "S", "Outer" }, verdict.NotPartialTypes.Select(t => t.Name));
    }

    [Fact]
    public void Reference_is_reported_with_path_and_alongside_not_partial()
    {
        var verdict = Check("struct Holder { public object O; } struct S { public int X; public Holder Holder; }", "S");

        Assert.Equal(PooledTargetProblem.NotPartial, verdict.Problem);
        Assert.Equal("Holder.O", verdict.ReferenceField?.Path);
    }

    [Fact]
    public void Reference_field_blocks_pooling()
    {
        var verdict = Check("partial struct S { public string Name; }", "S");

        Assert.Equal(PooledTargetProblem.HoldsReference, verdict.Problem);
        Assert.Equal(new ReferenceFieldExpectation("Name", "string"), new ReferenceFieldExpectation(verdict.ReferenceField!.Value.Path, verdict.ReferenceField.Value.TypeDisplay));
    }

    [Theory]
    [InlineData("partial struct S { Missing M; int X; }")]
    [InlineData("partial struct S { public S Self; }")]
    [InlineData("partial struct S : IMissing { public Missing<int>.Inner X; }")]
    public void Erroneous_code_does_not_throw_and_is_not_a_reference(string source) =>
        Assert.Null(Check(source, "S").ReferenceField);

    [Theory]
    [InlineData("partial struct S { public static Pooled<S> Alloc() => default; }", "Alloc()", "Alloc()")]
    [InlineData("partial struct S { public static Pooled<S> Alloc(ref S value) => default; }", "Alloc(ref S)", "Alloc(in S)")]
    [InlineData("partial struct S { public void Free(Pooled<S> item) { } }", "Free(Pooled<S>)", "Free(Pooled<S>)")]
    [InlineData("partial struct S { public int Free { get; } }", "Free", "Free(Pooled<S>)")]
    [InlineData("partial struct S { public const int PooledBlockSize = 16; }", "PooledBlockSize", "PooledBlockSize")]
    [InlineData("partial struct S { [System.Runtime.CompilerServices.IndexerName(\"Alloc\")] public int this[int i] => i; }", "[IndexerName(\"Alloc\")] this[int]", "Alloc()")]
    public void A_member_the_generator_would_add_again_blocks_pooling(string source, string declared, string generated)
    {
        var verdict = Check(source, "S");

        Assert.Equal(PooledTargetProblem.MemberNameClash, verdict.Problem);
        Assert.False(verdict.CanBePooled);
        var clash = Assert.Single(verdict.MemberClashes);
        Assert.Equal((declared, generated), (clash.Declared, clash.Generated));
        Assert.NotNull(clash.Member);
    }

    [Fact]
    public void A_struct_named_like_a_generated_member_clashes_by_its_own_name()
    {
        var clash = Assert.Single(Check("partial struct Free { }", "Free").MemberClashes);

        Assert.Null(clash.Member);
        Assert.Equal("Free(Pooled<Free>)", clash.Generated);
    }

    [Theory]
    [InlineData("partial struct S { public static Pooled<S> Alloc(int count) => default; }")]
    [InlineData("partial struct S { public static Pooled<S> Alloc(S value) => default; }")]
    [InlineData("partial struct S { public static Pooled<T> Alloc<T>() where T : unmanaged => default; }")]
    [InlineData("partial struct S { public void Free() { } }")]
    [InlineData("partial struct S { public void Free(ref Pooled<S> item) { } }")]
    [InlineData("partial struct S { public int pooledSize; }")]
    [InlineData("partial struct S { [System.CodeDom.Compiler.GeneratedCode(\"PooledGen\", \"1.0.0\")] public static Pooled<S> Alloc() => default; }")]
    public void Legal_overloads_and_PooledGens_own_members_are_no_clash(string source) =>
        Assert.Equal(PooledTargetProblem.None, Check(source, "S").Problem);

    [Fact]
    public void A_member_generated_by_another_tool_is_a_clash()
    {
        var verdict = Check("partial struct S { [System.CodeDom.Compiler.GeneratedCode(\"Other\", \"1.0.0\")] public static Pooled<S> Alloc() => default; }", "S");

        Assert.Equal(PooledTargetProblem.MemberNameClash, verdict.Problem);
    }

    [Fact]
    public void Every_clash_is_listed_alongside_not_partial()
    {
        var verdict = Check("struct S { public static int Alloc() => 0; public const int PooledSize = 1; }", "S");

        Assert.Equal(PooledTargetProblem.NotPartial, verdict.Problem);
        Assert.Equal(new[] { "PooledSize", "Alloc()" }, verdict.MemberClashes.Select(c => c.Declared));
    }

    private readonly record struct ReferenceFieldExpectation(string Path, string Type);
}
