using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;

namespace PooledGen.Generators.Targets;

/// <summary>A member of a <c>[Pooled]</c> struct (or the struct's own name) that the generated part would collide with.</summary>
internal sealed class GeneratedMemberClash
{
    internal GeneratedMemberClash(ISymbol? member, string declared, string generated)
    {
        Member = member;
        Declared = declared;
        Generated = generated;
    }

    /// <summary>The user's member, or null when the struct itself bears the name of a generated member (CS0542).</summary>
    public ISymbol? Member { get; }

    /// <summary>The user's member as a person would name it: <c>Alloc(ref S)</c>, <c>PooledSize</c>.</summary>
    public string Declared { get; }

    /// <summary>The generated member it collides with: <c>Alloc(in S)</c>.</summary>
    public string Generated { get; }

    /// <summary>Why the struct cannot be pooled, as the second argument of PG0004.</summary>
    public string Reason =>
        Member is null ? "its name is that of '" + Generated + "', a member PooledGen generates in it, and a member cannot be named like its type; rename the struct"
        : Declared == Generated ? "it declares '" + Declared + "', a member PooledGen generates; rename it"
        : "it declares '" + Declared + "', which clashes with '" + Generated + "', a member PooledGen generates; rename it";
}

/// <summary>
/// What the generated part of a <c>[Pooled]</c> struct declares, and which of the user's members the compiler would
/// refuse beside it. Only real clashes count, as C# decides them: a method clashes with a generated method when the
/// two have the same name, number of type parameters and parameter types, and their parameters differ at most by
/// <c>in</c>/<c>ref</c>/<c>out</c> (CS0111, CS0663; return type and <c>static</c> do not count); any other member
/// clashes by name alone (CS0102). So <c>Alloc(int)</c>, <c>Alloc(S)</c>, <c>Alloc&lt;T&gt;()</c>, an instance
/// <c>Free()</c> and <c>Free(ref Pooled&lt;S&gt;)</c> are legal overloads, and explicit implementations of
/// <c>IPooled&lt;S&gt;</c> are the user's own business: none of those clash.
/// </summary>
internal static class GeneratedMemberClashes
{
    private const string Alloc = "Alloc";
    private const string Free = "Free";
    private const string AllocEmpty = Alloc + "()";

    // Members that clash with anything of their name: constants and the nested class.
    private static readonly ImmutableArray<string> s_nameOnlyMembers = ImmutableArray.Create("PooledSize", "PooledBlockSize", "__PooledGenTypeCheck");

    private static readonly SymbolDisplayFormat s_memberFormat = new(
        typeQualificationStyle: SymbolDisplayTypeQualificationStyle.NameOnly,
        genericsOptions: SymbolDisplayGenericsOptions.IncludeTypeParameters,
        memberOptions: SymbolDisplayMemberOptions.IncludeParameters,
        parameterOptions: SymbolDisplayParameterOptions.IncludeType | SymbolDisplayParameterOptions.IncludeParamsRefOut,
        miscellaneousOptions: SymbolDisplayMiscellaneousOptions.UseSpecialTypes);

    /// <summary>
    /// Every clash of <paramref name="type"/> with its generated part: the struct's own name first, then the user's
    /// members by the generated member they clash with. Members PooledGen itself generated (seen by an analyzer, which
    /// runs on the compilation with the generated part in it) are not clashes, so the generator and the analyzer reach
    /// the same verdict. Runs in the generator's transform for every struct: a valid one costs a few name lookups.
    /// </summary>
    public static ImmutableArray<GeneratedMemberClash> Find(INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ImmutableArray<GeneratedMemberClash>.Builder? clashes = null;

        // A struct named Alloc would hold a method Alloc: CS0542.
        if (GeneratedDisplay(type, type.Name) is { } ownName)
        {
            Add(null, type.Name, ownName);
        }

        foreach (var name in s_nameOnlyMembers)
        {
            foreach (var member in type.GetMembers(name))
            {
                if (!IsGeneratedByPooledGen(member))
                {
                    Add(member, Describe(member), name);
                }
            }
        }

        foreach (var name in new[] { Alloc, Free })
        {
            foreach (var member in type.GetMembers(name))
            {
                if (IsGeneratedByPooledGen(member))
                {
                    continue;
                }

                // A method clashes with the generated method of its signature; any other member by its name alone.
                var generated = member is IMethodSymbol method ? ClashingSignature(method, type) : GeneratedDisplay(type, name);
                if (generated is not null)
                {
                    Add(member, Describe(member), generated);
                }
            }
        }

        // An indexer renamed with [IndexerName] to a generated member's name clashes with it by name (CS0102).
        foreach (var member in type.GetMembers(WellKnownMemberNames.Indexer))
        {
            if (member is IPropertySymbol { IsIndexer: true } indexer && GeneratedDisplay(type, indexer.MetadataName) is { } generated)
            {
                Add(member, Describe(member), generated);
            }
        }

        return clashes?.ToImmutable() ?? ImmutableArray<GeneratedMemberClash>.Empty;

        void Add(ISymbol? member, string declared, string generated) =>
            (clashes ??= ImmutableArray.CreateBuilder<GeneratedMemberClash>()).Add(new GeneratedMemberClash(member, declared, generated));
    }

    // The generated member that goes by `name` (for Alloc, the first of the two), or null when none does.
    private static string? GeneratedDisplay(INamedTypeSymbol type, string name) => name switch
    {
        Alloc => AllocEmpty,
        Free => FreeDisplay(type),
        _ => s_nameOnlyMembers.Contains(name) ? name : null,
    };

    private static string FreeDisplay(INamedTypeSymbol type) => Free + "(Pooled<" + type.ToDisplayString(s_memberFormat) + ">)";

    // The generated methods, as (name, parameters): each parameter is the struct (S), its handle (H) or a LocalHeap
    // (L), passed by value or, with a leading 'in ', by reference.
    private static readonly (string Name, string[] Parameters)[] s_generatedMethods =
    [
        (Alloc, []),
        (Alloc, ["in S"]),
        (Alloc, ["L"]),
        (Alloc, ["L", "in S"]),
        (Free, ["H"]),
        (Free, ["L", "H"]),
    ];

    /// <summary>
    /// The generated method <paramref name="method"/> clashes with (same name, no type parameters, the same parameter
    /// types, each by value where the generated one is by value and by any reference where it is by reference), or null.
    /// </summary>
    private static string? ClashingSignature(IMethodSymbol method, INamedTypeSymbol type)
    {
        if (!IsPlainOverloadable(method))
        {
            return null;
        }

        foreach ((string name, string[] parameters) in s_generatedMethods)
        {
            if (name != method.Name || parameters.Length != method.Parameters.Length)
            {
                continue;
            }

            bool same = true;
            for (int i = 0; i < parameters.Length && same; i++)
            {
                IParameterSymbol parameter = method.Parameters[i];
                bool byReference = parameters[i].StartsWith("in ", System.StringComparison.Ordinal);
                string kind = byReference ? parameters[i].Substring(3) : parameters[i];
                same = (parameter.RefKind != RefKind.None) == byReference && kind switch
                {
                    "S" => SymbolEqualityComparer.Default.Equals(parameter.Type, type),
                    "H" => IsHandleOf(parameter.Type, type),
                    _ => IsLocalHeap(parameter.Type),
                };
            }

            if (same)
            {
                string self = type.ToDisplayString(s_memberFormat);
                var shown = new string[parameters.Length];
                for (int i = 0; i < parameters.Length; i++)
                {
                    bool byReference = parameters[i].StartsWith("in ", System.StringComparison.Ordinal);
                    string kind = byReference ? parameters[i].Substring(3) : parameters[i];
                    shown[i] = (byReference ? "in " : "") + (kind == "S" ? self : kind == "H" ? "Pooled<" + self + ">" : "LocalHeap");
                }

                return name + "(" + string.Join(", ", shown) + ")";
            }
        }

        return null;
    }

    private static bool IsLocalHeap(ITypeSymbol parameterType) =>
        parameterType is INamedTypeSymbol { Name: "LocalHeap", Arity: 0, ContainingNamespace: { Name: "PooledGen", ContainingNamespace.IsGlobalNamespace: true } };

    // A generic method or an __arglist one has a signature of its own, whatever its parameters.
    private static bool IsPlainOverloadable(IMethodSymbol method) => method.TypeParameters.IsEmpty && !method.IsVararg;

    private static bool IsHandleOf(ITypeSymbol parameterType, INamedTypeSymbol type) =>
        parameterType is INamedTypeSymbol { Name: "Pooled", Arity: 1, ContainingNamespace: { Name: "PooledGen", ContainingNamespace.IsGlobalNamespace: true } } handle
        && SymbolEqualityComparer.Default.Equals(handle.TypeArguments[0], type);

    // Every generated member carries [GeneratedCode("PooledGen", version)].
    private static bool IsGeneratedByPooledGen(ISymbol member)
    {
        foreach (var attribute in member.GetAttributes())
        {
            if (attribute.AttributeClass is { Name: "GeneratedCodeAttribute" } attributeClass
                && attributeClass.ToDisplayString() == "System.CodeDom.Compiler.GeneratedCodeAttribute"
                && attribute.ConstructorArguments.Length > 0
                && attribute.ConstructorArguments[0].Value is "PooledGen")
            {
                return true;
            }
        }

        return false;
    }

    private static string Describe(ISymbol member) => member switch
    {
        IPropertySymbol { IsIndexer: true } indexer => "[IndexerName(\"" + indexer.MetadataName + "\")] " + indexer.ToDisplayString(s_memberFormat),
        IMethodSymbol => member.ToDisplayString(s_memberFormat),
        _ => member.Name,
    };
}
