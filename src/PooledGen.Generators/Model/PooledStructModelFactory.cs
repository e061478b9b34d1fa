using System;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.CompilerServices;
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

        var clash = FindNameClash(type, cancellationToken);
        if (clash == NameClash.SameName)
        {
            // Two types (or a type and a namespace) with one full name: CS0101. Generating would only add errors.
            return null;
        }

        var layout = LayoutCalculator.Compute(type, cancellationToken);

        var containing = new List<ContainingTypeModel>();
        for (var outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            containing.Insert(0, new ContainingTypeModel(DeclarationHead(outer), Identifier(outer.Name)));
        }

        var ns = type.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() : null;
        var displayName = DottedName(type);
        return new PooledStructModel(
            ns,
            new EquatableArray<ContainingTypeModel>(containing),
            DeclarationHead(type),
            Identifier(type.Name),
            type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
            displayName,
            HintName(displayName, clash),
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

    private enum NameClash
    {
        None,
        SameName,
        SameNameIgnoringCase,
    }

    // Hint names are compared ignoring case, so Game.Case and Game.CASE (legal C#) would collide: such names get a
    // stable suffix from the exact-case name. A name is exactly unique in a compilation that binds.
    private static string HintName(string dottedName, NameClash clash) =>
        clash == NameClash.SameNameIgnoringCase
            ? dottedName + "." + StableHash(dottedName).ToString("x8", CultureInfo.InvariantCulture) + ".g.cs"
            : dottedName + ".g.cs";

    // Siblings grouped by name ignoring case, built once per namespace or type of a compilation: scanning every
    // member of a namespace for every struct in it would make 2,000 structs cost 4,000,000 comparisons. The table is
    // keyed weakly on the symbol, so it goes away with its compilation.
    private static readonly ConditionalWeakTable<INamespaceOrTypeSymbol, Dictionary<string, List<INamespaceOrTypeSymbol>>> s_siblingsByName = new();

    // Looks at every level of the name (the struct, its containing types, its namespaces) for a sibling namespace or
    // type whose name is the same, or the same ignoring case.
    private static NameClash FindNameClash(INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        var clash = NameClash.None;
        ISymbol current = type;
        while (current.ContainingSymbol is INamespaceOrTypeSymbol parent)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var siblings = s_siblingsByName.GetValue(parent, static container =>
            {
                var byName = new Dictionary<string, List<INamespaceOrTypeSymbol>>(StringComparer.OrdinalIgnoreCase);
                foreach (var member in container.GetMembers())
                {
                    if (member is INamespaceOrTypeSymbol namespaceOrType)
                    {
                        if (!byName.TryGetValue(member.Name, out var list))
                        {
                            byName[member.Name] = list = new List<INamespaceOrTypeSymbol>(1);
                        }

                        list.Add(namespaceOrType);
                    }
                }

                return byName;
            });

            if (siblings.TryGetValue(current.Name, out var sameName))
            {
                foreach (var sibling in sameName)
                {
                    if (SymbolEqualityComparer.Default.Equals(sibling, current))
                    {
                        continue;
                    }

                    if (sibling.Name != current.Name)
                    {
                        clash = NameClash.SameNameIgnoringCase;
                    }
                    else if (Arity(sibling) == Arity(current))
                    {
                        return NameClash.SameName;
                    }
                }
            }

            current = parent;
        }

        return clash;

        static int Arity(ISymbol symbol) => symbol is INamedTypeSymbol named ? named.Arity : -1;
    }

    // FNV-1a: stable across processes and runtimes, unlike string.GetHashCode.
    private static uint StableHash(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash = unchecked((hash ^ c) * 16777619u);
        }

        return hash;
    }

    // Namespace.Outer.Inner without '@' escapes: for people, and as the hint name Namespace.Outer.Inner.g.cs, unique
    // because a type's full name is unique in a compilation that binds.
    private static string DottedName(INamedTypeSymbol type)
    {
        var name = new StringBuilder(type.Name);
        for (var outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            name.Insert(0, outer.Name + ".");
        }

        for (var ns = type.ContainingNamespace; ns is { IsGlobalNamespace: false }; ns = ns.ContainingNamespace)
        {
            name.Insert(0, ns.Name + ".");
        }

        return name.ToString();
    }
}
