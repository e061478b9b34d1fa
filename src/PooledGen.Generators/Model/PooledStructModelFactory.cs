using System.Collections.Generic;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using PooledGen.Generators.Layout;
using PooledGen.Generators.Targets;

namespace PooledGen.Generators.Model;

/// <summary>Turns a <c>[Pooled]</c> struct symbol into the value model the emitter needs, or null when it cannot be pooled.</summary>
internal static class PooledStructModelFactory
{
    /// <summary>The attribute the generator looks for.</summary>
    public const string PooledAttributeMetadataName = "PooledGen.PooledAttribute";

    /// <summary>
    /// The model for <paramref name="type"/> as seen from its declaration <paramref name="declaration"/>, or null when
    /// <see cref="PooledTargetRules"/> says it cannot be pooled (the analyzer reports why) or when another declaration
    /// of the same partial struct also carries <c>[Pooled]</c> (one model per struct, from its first marked part).
    /// </summary>
    public static PooledStructModel? Create(INamedTypeSymbol type, SyntaxNode declaration, CancellationToken cancellationToken)
    {
        if (!IsFirstMarkedDeclaration(type, declaration, cancellationToken))
        {
            return null;
        }

        if (!PooledTargetRules.Check(type, cancellationToken).CanBePooled)
        {
            return null;
        }

        var layout = LayoutCalculator.Compute(type, cancellationToken);

        var containing = new List<ContainingTypeModel>();
        for (var outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            containing.Insert(0, new ContainingTypeModel(DeclarationHead(outer), Identifier(outer.Name)));
        }

        var ns = type.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() : null;
        var displayName = type.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat);
        return new PooledStructModel(
            ns,
            new EquatableArray<ContainingTypeModel>(containing),
            DeclarationHead(type),
            Identifier(type.Name),
            type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
            displayName,
            HintName(type),
            layout.Size);
    }

    // Two parts of one partial struct may both say [Pooled] (CS0579): generate once, from the first part marked.
    private static bool IsFirstMarkedDeclaration(INamedTypeSymbol type, SyntaxNode declaration, CancellationToken cancellationToken)
    {
        foreach (var attribute in type.GetAttributes())
        {
            if (attribute.AttributeClass?.ToDisplayString() != PooledAttributeMetadataName || attribute.ApplicationSyntaxReference is not { } reference)
            {
                continue;
            }

            var marked = reference.GetSyntax(cancellationToken).FirstAncestorOrSelf<TypeDeclarationSyntax>();
            return marked is null || marked == declaration;
        }

        return true;
    }

    /// <summary>The modifiers and keyword a partial re-declaration of <paramref name="type"/> needs, e.g. <c>readonly partial record struct</c>.</summary>
    private static string DeclarationHead(INamedTypeSymbol type)
    {
        var head = new StringBuilder();
        if (type.IsStatic)
        {
            head.Append("static ");
        }

        if (type.TypeKind == TypeKind.Struct && type.IsReadOnly)
        {
            head.Append("readonly ");
        }

        if (type.IsRefLikeType)
        {
            head.Append("ref ");
        }

        head.Append("partial ");
        head.Append(type.TypeKind switch
        {
            TypeKind.Struct when type.IsRecord => "record struct",
            TypeKind.Struct => "struct",
            TypeKind.Interface => "interface",
            TypeKind.Class when type.IsRecord => "record",
            _ => "class",
        });
        return head.ToString();
    }

    private static string Identifier(string name) =>
        SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;

    // Namespace.Outer.Inner.g.cs: the type's full metadata name is unique in a compilation that binds.
    private static string HintName(INamedTypeSymbol type)
    {
        var name = new StringBuilder(type.Name);
        for (var outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            name.Insert(0, outer.Name + ".");
        }

        if (type.ContainingNamespace is { IsGlobalNamespace: false } ns)
        {
            name.Insert(0, ns.ToDisplayString() + ".");
        }

        return name.Append(".g.cs").ToString();
    }
}
