using System;
using System.Collections.Generic;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;

namespace PooledGen.Generators.Layout;

/// <summary>
/// Computes, at compile time, the layout the x64 CLR (.NET 8 and later) gives a struct: what
/// <c>Unsafe.SizeOf&lt;T&gt;()</c> returns and where each field sits. Shared by the generator (PooledSize) and the
/// analyzers (PG0001, PG0005, PG0006).
/// </summary>
/// <remarks>
/// <para>The rules, each checked against the CLR by the layout corpus in PooledGen.Generated.Tests:</para>
/// <list type="bullet">
/// <item>Primitives by size; <c>bool</c> 1, <c>char</c> 2; enums as their underlying type; pointers, function
/// pointers, <c>nint</c>/<c>nuint</c> and references 8.</item>
/// <item>Sequential (the C# default for structs): fields in declaration order, each aligned to
/// <c>min(alignment, Pack)</c>; the size is rounded up to the largest such alignment, unless <c>Size</c> is given:
/// then it is <c>max(Size, end of last field)</c>, not rounded. A struct that holds a reference is laid out as auto.</item>
/// <item>Explicit: fields at their <c>[FieldOffset]</c>; size as for sequential over the furthest field end.</item>
/// <item>Auto (<c>LayoutKind.Auto</c>, e.g. <c>ValueTuple</c>; <c>Pack</c> and <c>Size</c> are ignored):
/// primitive-like fields grouped by size, 8 then 4, 2, 1, each group in declaration order; then the struct fields
/// in declaration order at their own alignment. If that ends at 8 bytes or less, size and alignment are the next
/// power of two; otherwise the size is rounded up to the largest alignment, where any primitive-like field counts
/// as 8 (CoreCLR <c>MethodTableBuilder::HandleAutoLayout</c>).</item>
/// <item>An empty struct is 1 byte. A fixed buffer is its element times its length, at the element's alignment.</item>
/// <item>BCL structs whose reference assemblies hide their fields come from <see cref="KnownValueTypes"/>;
/// <c>Nullable&lt;T&gt;</c> is <c>{ bool; T }</c>, <c>KeyValuePair&lt;K, V&gt;</c> is sequential
/// <c>{ K; V }</c>, <c>ValueTuple</c> is auto over its items. Any other struct from metadata is unknown: its
/// <c>StructLayout</c> is not visible through Roslyn's public API and its fields may be dummies.</item>
/// </list>
/// </remarks>
internal static partial class LayoutCalculator
{
    private const int PointerSize = 8;

    // Deeper than any real struct nesting; it stops generic expansions such as S<T> { S<S<T>> f; }.
    private const int MaxDepth = 64;

    private const int LayoutKindSequential = 0;
    private const int LayoutKindExplicit = 2;
    private const int LayoutKindAuto = 3;

    private static readonly SymbolDisplayFormat s_displayFormat = SymbolDisplayFormat.CSharpErrorMessageFormat;

    /// <summary>Computes the x64 CLR layout of <paramref name="type"/>. Never throws on erroneous code.</summary>
    /// <param name="type">Usually a struct; any type is accepted (a class gives the 8 bytes of a reference).</param>
    /// <param name="cancellationToken">Cancels the computation.</param>
    public static TypeLayout Compute(ITypeSymbol type, CancellationToken cancellationToken)
    {
        if (type is null)
        {
            throw new ArgumentNullException(nameof(type));
        }

        try
        {
            return new Calculator(cancellationToken).Layout(type, depth: 0);
        }
        catch (OverflowException)
        {
            // Over 2 GB (say, fixed long B[1_000_000_000]): the CLR will not load such a type either.
            return TypeLayout.Unknown(LayoutUnknownReason.TooLarge, Display(type));
        }
    }

    /// <summary>
    /// The size of a sequential struct whose fields, in this order, have these sizes and (already packed)
    /// alignments; <paramref name="declaredSize"/> is <c>StructLayout.Size</c> or 0.
    /// </summary>
    public static int SequentialSize(IReadOnlyList<(int Size, int Alignment)> fields, int declaredSize)
    {
        var position = 0;
        var largestAlignment = 1;
        foreach (var (size, alignment) in fields)
        {
            position = AlignUp(position, alignment) + size;
            largestAlignment = Math.Max(largestAlignment, alignment);
        }

        return FinishSize(position, largestAlignment, declaredSize);
    }

    private static int FinishSize(int end, int largestAlignment, int declaredSize)
    {
        var size = Math.Max(end, 1);
        return declaredSize > 0 ? Math.Max(declaredSize, size) : AlignUp(size, largestAlignment);
    }

    private static int AlignUp(int value, int alignment) =>
        alignment <= 1 ? value : checked(value + alignment - 1) / alignment * alignment;

    /// <summary>The metadata name of a type definition, e.g. <c>System.Collections.Generic.KeyValuePair`2</c>.</summary>
    internal static string MetadataName(INamedTypeSymbol type)
    {
        var builder = new StringBuilder();
        Append(builder, type.OriginalDefinition);
        return builder.ToString();

        static void Append(StringBuilder builder, INamedTypeSymbol type)
        {
            if (type.ContainingType is { } outer)
            {
                Append(builder, outer);
                builder.Append('+');
            }
            else if (type.ContainingNamespace is { IsGlobalNamespace: false } ns)
            {
                builder.Append(ns.ToDisplayString()).Append('.');
            }

            builder.Append(type.MetadataName);
        }
    }

    private static string Display(ITypeSymbol type) => type.ToDisplayString(s_displayFormat);

    private readonly record struct PendingField(string Name, ITypeSymbol? Type, int FixedLength, string? DisplayOverride, int? ExplicitOffset);

    private readonly record struct PlacedField(string Name, string TypeDisplay, TypeLayout Layout);
}
