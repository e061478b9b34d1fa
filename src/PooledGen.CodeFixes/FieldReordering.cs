using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using PooledGen.Generators.Diagnostics;

namespace PooledGen.CodeFixes;

/// <summary>
/// Rewrites a struct declaration so its instance fields come in a given order (PG0005's suggestion). Only the
/// members that hold instance fields move: methods, constants, static fields and nested types keep their places.
/// Each moved member keeps its attributes, comments and trailing trivia; the blank lines before a slot stay
/// with the slot, so the spacing of the declaration does not change.
/// </summary>
internal static class FieldReordering
{
    /// <summary>
    /// Returns <paramref name="type"/> with its instance fields in <paramref name="order"/> (names as in source,
    /// an auto-property by its name), or null when its instance fields are not exactly those names, or when a
    /// preprocessor directive sits among them (moving it would change what compiles).
    /// </summary>
    public static TypeDeclarationSyntax? Reorder(TypeDeclarationSyntax type, IReadOnlyList<string> order)
    {
        var position = new Dictionary<string, int>();
        for (var i = 0; i < order.Count; i++)
        {
            if (position.ContainsKey(order[i]))
            {
                return null;
            }

            position.Add(order[i], i);
        }

        var slots = new List<int>();
        var units = new List<(MemberDeclarationSyntax Member, int Position)>();
        var seen = 0;
        for (var i = 0; i < type.Members.Count; i++)
        {
            var member = type.Members[i];
            var names = FieldNames(member);
            if (names is null)
            {
                continue;
            }

            if (member.GetLeadingTrivia().Any(t => t.IsDirective) || member.GetTrailingTrivia().Any(t => t.IsDirective))
            {
                return null;
            }

            var positions = new List<int>();
            foreach (var name in names)
            {
                if (!position.TryGetValue(name, out var p))
                {
                    return null;
                }

                positions.Add(p);
            }

            // `int A, B;` moves as one member. The analyzer's order keeps such names adjacent (they share a type,
            // hence an alignment, and ties keep declaration order); any other order is not this fix's to apply.
            if (!IsRun(positions))
            {
                return null;
            }

            seen += positions.Count;
            slots.Add(i);
            units.Add((member, positions[0]));
        }

        if (seen != order.Count || slots.Count == 0)
        {
            return null;
        }

        var ordered = units.OrderBy(u => u.Position).Select(u => u.Member).ToList();
        var members = type.Members.ToList();
        for (var k = 0; k < slots.Count; k++)
        {
            members[slots[k]] = WithSlotPrefix(ordered[k], SlotPrefix(type.Members[slots[k]].GetLeadingTrivia()));
        }

        return type.WithMembers(SyntaxFactory.List(members));
    }

    /// <summary>The instance-field names a member declares, or null when it declares none.</summary>
    private static IReadOnlyList<string>? FieldNames(MemberDeclarationSyntax member)
    {
        switch (member)
        {
            case FieldDeclarationSyntax field when !field.Modifiers.Any(SyntaxKind.StaticKeyword) && !field.Modifiers.Any(SyntaxKind.ConstKeyword):
                return field.Declaration.Variables.Select(v => v.Identifier.ValueText).ToList();
            case PropertyDeclarationSyntax property when SourceMembers.IsAutoProperty(property):
                return new[] { property.Identifier.ValueText };
            default:
                return null;
        }
    }

    private static bool IsRun(List<int> positions)
    {
        for (var k = 1; k < positions.Count; k++)
        {
            if (positions[k] != positions[k - 1] + 1)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The blank lines that open a member's leading trivia: they belong to the place, not the member.</summary>
    private static int SlotPrefixLength(SyntaxTriviaList leading)
    {
        var length = 0;
        for (var k = 0; k < leading.Count; k++)
        {
            if (leading[k].IsKind(SyntaxKind.EndOfLineTrivia))
            {
                length = k + 1;
            }
            else if (!leading[k].IsKind(SyntaxKind.WhitespaceTrivia))
            {
                break;
            }
        }

        return length;
    }

    private static SyntaxTriviaList SlotPrefix(SyntaxTriviaList leading) =>
        SyntaxFactory.TriviaList(leading.Take(SlotPrefixLength(leading)));

    private static MemberDeclarationSyntax WithSlotPrefix(MemberDeclarationSyntax member, SyntaxTriviaList prefix)
    {
        var leading = member.GetLeadingTrivia();
        var own = leading.Skip(SlotPrefixLength(leading));
        return member.WithLeadingTrivia(prefix.AddRange(own));
    }
}
