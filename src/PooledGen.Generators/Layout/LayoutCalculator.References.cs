using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;

namespace PooledGen.Generators.Layout;

/// <summary>The first field that holds an object reference, found by <see cref="LayoutCalculator.FindReferenceField"/>.</summary>
/// <param name="Path">Dotted field names from the struct down to the reference, e.g. <c>Holder.O</c>.</param>
/// <param name="TypeDisplay">The type of that last field as C# shows it, e.g. <c>object</c>.</param>
internal readonly record struct ReferenceField(string Path, string TypeDisplay);

internal static partial class LayoutCalculator
{
    /// <summary>
    /// Finds the first instance field, in declaration order and depth first through nested structs, that holds an
    /// object reference, so PG0002 can name it (<c>Holder.O</c>). Null when the struct holds none (or only
    /// through types the compiler could not bind). Never throws on erroneous code.
    /// </summary>
    public static ReferenceField? FindReferenceField(ITypeSymbol type, CancellationToken cancellationToken)
    {
        if (type is null || type.IsUnmanagedType || type.TypeKind != TypeKind.Struct)
        {
            return null;
        }

        var visiting = new HashSet<ITypeSymbol>(SymbolEqualityComparer.Default);
        return Search(type, prefix: string.Empty, visiting, cancellationToken, depth: 0);
    }

    private static ReferenceField? Search(ITypeSymbol type, string prefix, HashSet<ITypeSymbol> visiting, CancellationToken cancellationToken, int depth)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (depth > MaxDepth || !visiting.Add(type))
        {
            return null;
        }

        try
        {
            foreach (var member in type.GetMembers())
            {
                if (member is not IFieldSymbol { IsStatic: false, IsConst: false, IsFixedSizeBuffer: false } field)
                {
                    continue;
                }

                var fieldType = field.Type;
                var path = prefix + (field.AssociatedSymbol?.Name ?? field.Name);
                if (fieldType.TypeKind == TypeKind.Error || fieldType.IsUnmanagedType)
                {
                    continue;
                }

                if (fieldType.IsReferenceType)
                {
                    return new ReferenceField(path, fieldType.ToDisplayString(s_displayFormat));
                }

                if (fieldType.TypeKind == TypeKind.Struct)
                {
                    // A struct that is not unmanaged: look inside; if its reference is hidden (metadata we cannot
                    // see into), this field is the deepest one we can name.
                    return Search(fieldType, path + ".", visiting, cancellationToken, depth + 1)
                        ?? new ReferenceField(path, fieldType.ToDisplayString(s_displayFormat));
                }
            }

            return null;
        }
        finally
        {
            visiting.Remove(type);
        }
    }
}
