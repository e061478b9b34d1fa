using System;
using System.Collections.Generic;
using System.Collections.Immutable;

namespace PooledGen.Generators.Layout;

/// <summary>How the CLR places the fields of a type, as far as the layout engine decided.</summary>
internal enum LayoutStrategy
{
    /// <summary>A primitive, enum, pointer or reference: no fields of its own.</summary>
    Scalar,

    /// <summary>Fields in declaration order, each at its (packed) alignment.</summary>
    Sequential,

    /// <summary>Fields at their <c>[FieldOffset]</c>.</summary>
    Explicit,

    /// <summary>The CLR reorders the fields (<c>LayoutKind.Auto</c>, or a struct that holds references).</summary>
    Auto,

    /// <summary>A BCL struct whose size comes from PooledGen's table, not from its (hidden) fields.</summary>
    Known,

    /// <summary>The layout could not be computed; see <see cref="TypeLayout.UnknownReason"/>.</summary>
    Unknown,
}

/// <summary>Why a layout is unknown.</summary>
internal enum LayoutUnknownReason
{
    /// <summary>The layout is known.</summary>
    None,

    /// <summary>
    /// An external struct whose fields are hidden (reference assemblies) or whose size depends on the machine or the
    /// operating system: PooledGen will not guess (PG0006).
    /// </summary>
    OpaqueType,

    /// <summary>The code does not compile (error type, missing <c>[FieldOffset]</c>, open type parameter): nothing to report.</summary>
    Unresolved,

    /// <summary>A struct that contains itself (CS0523) or a generic expansion without end: nothing to report.</summary>
    Cycle,
}

/// <summary>One instance field of a struct as the CLR places it on x64.</summary>
/// <param name="Name">The field's name; for an auto-property's hidden backing field, the property's name.</param>
/// <param name="TypeDisplay">The field's type as C# shows it (<c>fixed int[4]</c> for a fixed buffer).</param>
/// <param name="Offset">Byte offset from the start of the struct, or -1 where it is unknown.</param>
/// <param name="Size">Bytes the field occupies, or -1 where it is unknown.</param>
/// <param name="Alignment">The alignment the field is placed at (after <c>Pack</c>), or 0 where it is unknown.</param>
internal readonly record struct FieldLayout(string Name, string TypeDisplay, int Offset, int Size, int Alignment);

/// <summary>
/// The x64 CLR layout of a type: size, alignment and, for a struct, its instance fields in declaration order.
/// Computed by <see cref="LayoutCalculator.Compute"/>.
/// </summary>
internal sealed class TypeLayout
{
    internal TypeLayout(
        int size,
        int alignment,
        LayoutStrategy strategy,
        bool isValueClass,
        bool containsReferences,
        int pack,
        int declaredSize,
        ImmutableArray<FieldLayout> fields,
        LayoutUnknownReason unknownReason,
        string? unknownTypeName)
    {
        Size = size;
        Alignment = alignment;
        Strategy = strategy;
        IsValueClass = isValueClass;
        ContainsReferences = containsReferences;
        Pack = pack;
        DeclaredSize = declaredSize;
        Fields = fields.IsDefault ? ImmutableArray<FieldLayout>.Empty : fields;
        UnknownReason = unknownReason;
        UnknownTypeName = unknownTypeName;
    }

    /// <summary>Size in bytes as <c>Unsafe.SizeOf&lt;T&gt;()</c> reports it on x64, or -1 when unknown.</summary>
    public int Size { get; }

    /// <summary>The alignment the CLR gives the type when it is a field of another struct; 0 when unknown.</summary>
    public int Alignment { get; }

    /// <summary>True when <see cref="Size"/> is known.</summary>
    public bool IsKnown => Size >= 0;

    /// <summary>How the fields are placed.</summary>
    public LayoutStrategy Strategy { get; }

    /// <summary>
    /// True for a struct that is not a CLR primitive or enum. The CLR's auto layout places such fields after all
    /// primitive fields.
    /// </summary>
    public bool IsValueClass { get; }

    /// <summary>True when the type is, or holds, an object reference.</summary>
    public bool ContainsReferences { get; }

    /// <summary><c>StructLayout.Pack</c>, or 0 for the default.</summary>
    public int Pack { get; }

    /// <summary><c>StructLayout.Size</c>, or 0 when not given.</summary>
    public int DeclaredSize { get; }

    /// <summary>The instance fields in declaration order (empty for scalars and table-known BCL structs).</summary>
    public ImmutableArray<FieldLayout> Fields { get; }

    /// <summary>Why the size is unknown, or <see cref="LayoutUnknownReason.None"/>.</summary>
    public LayoutUnknownReason UnknownReason { get; }

    /// <summary>
    /// The type that made the size unknown, as C# displays it (for PG0006: the opaque external struct), or null.
    /// </summary>
    public string? UnknownTypeName { get; }

    /// <summary>
    /// The size this struct would have with its fields in <paramref name="fieldOrder"/> (indices into
    /// <see cref="Fields"/>, each exactly once), with the same <c>Pack</c> and <c>Size</c>. Meaningful for
    /// <see cref="LayoutStrategy.Sequential"/> structs whose fields are all known; -1 otherwise (explicit and auto
    /// layouts do not depend on declaration order the same way).
    /// </summary>
    public int SizeForFieldOrder(IReadOnlyList<int> fieldOrder)
    {
        if (fieldOrder is null)
        {
            throw new ArgumentNullException(nameof(fieldOrder));
        }

        if (Strategy != LayoutStrategy.Sequential || !IsKnown || fieldOrder.Count != Fields.Length)
        {
            return -1;
        }

        var seen = new bool[Fields.Length];
        var sizes = new (int Size, int Alignment)[fieldOrder.Count];
        for (var i = 0; i < fieldOrder.Count; i++)
        {
            var index = fieldOrder[i];
            if (index < 0 || index >= Fields.Length || seen[index] || Fields[index].Size < 0)
            {
                return -1;
            }

            seen[index] = true;
            sizes[i] = (Fields[index].Size, Fields[index].Alignment);
        }

        return LayoutCalculator.SequentialSize(sizes, DeclaredSize);
    }

    /// <summary>
    /// A field order that removes padding: largest alignment first, declaration order among equals (stable).
    /// Indices into <see cref="Fields"/>. Use <see cref="SizeForFieldOrder"/> to see what it gains.
    /// </summary>
    public ImmutableArray<int> DescendingAlignmentOrder()
    {
        var order = new int[Fields.Length];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        // A stable sort: Array.Sort is not, so sort by (alignment desc, index asc) explicitly.
        Array.Sort(order, (a, b) =>
        {
            var byAlignment = Fields[b].Alignment.CompareTo(Fields[a].Alignment);
            return byAlignment != 0 ? byAlignment : a.CompareTo(b);
        });
        return ImmutableArray.Create(order);
    }

    internal static TypeLayout Scalar(int size, bool isReference) =>
        new(size, size, LayoutStrategy.Scalar, isValueClass: false, containsReferences: isReference, pack: 0, declaredSize: 0, default, LayoutUnknownReason.None, null);

    internal static TypeLayout Known(int size, int alignment) =>
        new(size, alignment, LayoutStrategy.Known, isValueClass: true, containsReferences: false, pack: 0, declaredSize: 0, default, LayoutUnknownReason.None, null);

    internal static TypeLayout Unknown(LayoutUnknownReason reason, string typeName, bool isValueClass = true, ImmutableArray<FieldLayout> fields = default) =>
        new(-1, 0, LayoutStrategy.Unknown, isValueClass, containsReferences: false, pack: 0, declaredSize: 0, fields, reason, typeName);
}
