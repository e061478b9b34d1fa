using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using PooledGen.Generators.Layout;

namespace PooledGen.Generators.Targets;

/// <summary>Why a <c>[Pooled]</c> type cannot be pooled. Listed in the order <see cref="PooledTargetRules.Check"/> tests them.</summary>
internal enum PooledTargetProblem
{
    /// <summary>The type can be pooled.</summary>
    None,

    /// <summary>A class, record class, interface, enum or delegate (PG0004).</summary>
    NotAStruct,

    /// <summary>A <c>ref struct</c>: it cannot live off the stack (PG0004).</summary>
    RefStruct,

    /// <summary>The struct has type parameters (PG0004).</summary>
    OpenGeneric,

    /// <summary>A containing type has type parameters (PG0004).</summary>
    NestedInGenericType,

    /// <summary>The struct or a containing type is <c>file</c>-local: the generated part would live in another file (PG0004).</summary>
    FileLocal,

    /// <summary>The struct or a containing type is not <c>partial</c> (PG0003).</summary>
    NotPartial,

    /// <summary>The struct holds an object reference, directly or through a nested struct (PG0002).</summary>
    HoldsReference,

    /// <summary>
    /// The struct declares a member the generated part would clash with, or is itself named like one (PG0004, see
    /// <see cref="GeneratedMemberClashes"/>).
    /// </summary>
    MemberNameClash,
}

/// <summary>The decision of <see cref="PooledTargetRules.Check"/>, with what a diagnostic needs to explain it.</summary>
internal sealed class PooledTargetVerdict
{
    internal PooledTargetVerdict(
        PooledTargetProblem problem,
        string? unsupportedReason,
        INamedTypeSymbol? genericContainingType,
        ImmutableArray<INamedTypeSymbol> notPartialTypes,
        ReferenceField? referenceField,
        ImmutableArray<GeneratedMemberClash> memberClashes = default)
    {
        Problem = problem;
        UnsupportedReason = unsupportedReason;
        GenericContainingType = genericContainingType;
        NotPartialTypes = notPartialTypes.IsDefault ? ImmutableArray<INamedTypeSymbol>.Empty : notPartialTypes;
        ReferenceField = referenceField;
        MemberClashes = memberClashes.IsDefault ? ImmutableArray<GeneratedMemberClash>.Empty : memberClashes;
    }

    /// <summary>
    /// The first problem found, in the order of <see cref="PooledTargetProblem"/>. <see cref="NotPartialTypes"/> and
    /// <see cref="ReferenceField"/> are filled in for every struct regardless, and <see cref="MemberClashes"/> for
    /// every struct without a PG0004 problem of its kind, so an analyzer can report all of them.
    /// </summary>
    public PooledTargetProblem Problem { get; }

    /// <summary>True when the generator can serve the type.</summary>
    public bool CanBePooled => Problem == PooledTargetProblem.None;

    /// <summary>
    /// For the PG0004 problems (<see cref="PooledTargetProblem.NotAStruct"/> to <see cref="PooledTargetProblem.FileLocal"/>),
    /// a short phrase saying why, e.g. <c>it is a class; only structs can be pooled</c>; otherwise null.
    /// </summary>
    public string? UnsupportedReason { get; }

    /// <summary>For <see cref="PooledTargetProblem.NestedInGenericType"/>: the innermost generic containing type.</summary>
    public INamedTypeSymbol? GenericContainingType { get; }

    /// <summary>The struct and containing types that are not declared <c>partial</c>, innermost first (empty if all are).</summary>
    public ImmutableArray<INamedTypeSymbol> NotPartialTypes { get; }

    /// <summary>The first field holding a reference (<c>Holder.O</c>), or null.</summary>
    public ReferenceField? ReferenceField { get; }

    /// <summary>Every clash with a generated member (empty if none), in the order <see cref="GeneratedMemberClashes.Find"/> gives.</summary>
    public ImmutableArray<GeneratedMemberClash> MemberClashes { get; }
}

/// <summary>
/// The one place that decides whether a <c>[Pooled]</c> type can be pooled. The generator calls it to skip what it
/// cannot serve; the analyzer calls it to say why (PG0002, PG0003, PG0004). Where to put the squiggle is the
/// analyzer's business.
/// </summary>
internal static class PooledTargetRules
{
    /// <summary>Checks <paramref name="type"/>. Never throws on erroneous code (error types count as unknown, not as references).</summary>
    public static PooledTargetVerdict Check(INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        if (type.TypeKind != TypeKind.Struct)
        {
            return new PooledTargetVerdict(PooledTargetProblem.NotAStruct, DescribeKind(type) + "; only structs can be pooled", null, default, null);
        }

        var notPartial = FindNotPartial(type, cancellationToken);
        var referenceField = LayoutCalculator.FindReferenceField(type, cancellationToken);

        if (type.IsRefLikeType)
        {
            return Unsupported(PooledTargetProblem.RefStruct, "it is a ref struct, which cannot live in pooled memory");
        }

        if (type.TypeParameters.Length > 0)
        {
            return Unsupported(PooledTargetProblem.OpenGeneric, "it is generic; only non-generic structs can be pooled");
        }

        for (var outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            if (outer.TypeParameters.Length > 0)
            {
                return new PooledTargetVerdict(
                    PooledTargetProblem.NestedInGenericType,
                    "it is nested in the generic type '" + outer.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat) + "'",
                    outer,
                    notPartial,
                    referenceField);
            }
        }

        if (IsFileLocal(type, cancellationToken))
        {
            return Unsupported(PooledTargetProblem.FileLocal, "it is a file-local type, so its generated part cannot be in another file");
        }

        var clashes = GeneratedMemberClashes.Find(type, cancellationToken);
        var problem = !notPartial.IsEmpty ? PooledTargetProblem.NotPartial
            : referenceField is not null ? PooledTargetProblem.HoldsReference
            : !clashes.IsEmpty ? PooledTargetProblem.MemberNameClash
            : PooledTargetProblem.None;
        return new PooledTargetVerdict(problem, null, null, notPartial, referenceField, clashes);

        PooledTargetVerdict Unsupported(PooledTargetProblem kind, string reason) =>
            new(kind, reason, null, notPartial, referenceField);
    }

    private static string DescribeKind(INamedTypeSymbol type) => type.TypeKind switch
    {
        TypeKind.Class when type.IsRecord => "it is a record class",
        TypeKind.Class => "it is a class",
        TypeKind.Interface => "it is an interface",
        TypeKind.Enum => "it is an enum",
        TypeKind.Delegate => "it is a delegate",
        _ => "it is not a struct",
    };

    private static ImmutableArray<INamedTypeSymbol> FindNotPartial(INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        var builder = ImmutableArray.CreateBuilder<INamedTypeSymbol>();
        for (var current = type; current is not null; current = current.ContainingType)
        {
            if (!IsPartial(current, cancellationToken))
            {
                builder.Add(current);
            }
        }

        return builder.ToImmutable();
    }

    // Partial means every declaration says so (a missing one is CS0260; report it here too rather than guess).
    private static bool IsPartial(INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        var references = type.DeclaringSyntaxReferences;
        if (references.IsEmpty)
        {
            return false;
        }

        foreach (var reference in references)
        {
            if (reference.GetSyntax(cancellationToken) is not TypeDeclarationSyntax declaration
                || !declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsFileLocal(INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        var outermost = type;
        while (outermost.ContainingType is { } outer)
        {
            outermost = outer;
        }

        foreach (var reference in outermost.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax(cancellationToken) is BaseTypeDeclarationSyntax declaration
                && declaration.Modifiers.Any(SyntaxKind.FileKeyword))
            {
                return true;
            }
        }

        return false;
    }
}
