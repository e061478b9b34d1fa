using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
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
            return TypeLayout.Unknown(LayoutUnknownReason.Unresolved, Display(type));
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

    private sealed class Calculator
    {
        private readonly CancellationToken _cancellationToken;
        private readonly Dictionary<ITypeSymbol, TypeLayout> _done = new(SymbolEqualityComparer.Default);
        private readonly HashSet<ITypeSymbol> _inProgress = new(SymbolEqualityComparer.Default);

        public Calculator(CancellationToken cancellationToken) => _cancellationToken = cancellationToken;

        public TypeLayout Layout(ITypeSymbol type, int depth)
        {
            _cancellationToken.ThrowIfCancellationRequested();

            switch (type.SpecialType)
            {
                case SpecialType.System_Boolean:
                case SpecialType.System_Byte:
                case SpecialType.System_SByte:
                    return TypeLayout.Scalar(1, isReference: false);
                case SpecialType.System_Char:
                case SpecialType.System_Int16:
                case SpecialType.System_UInt16:
                    return TypeLayout.Scalar(2, isReference: false);
                case SpecialType.System_Int32:
                case SpecialType.System_UInt32:
                case SpecialType.System_Single:
                    return TypeLayout.Scalar(4, isReference: false);
                case SpecialType.System_Int64:
                case SpecialType.System_UInt64:
                case SpecialType.System_Double:
                case SpecialType.System_IntPtr:
                case SpecialType.System_UIntPtr:
                    return TypeLayout.Scalar(8, isReference: false);
            }

            switch (type.TypeKind)
            {
                case TypeKind.Pointer:
                case TypeKind.FunctionPointer:
                    return TypeLayout.Scalar(PointerSize, isReference: false);
                case TypeKind.Enum:
                    return type is INamedTypeSymbol { EnumUnderlyingType: { } underlying } && underlying.TypeKind != TypeKind.Error
                        ? TypeLayout.Scalar(Layout(underlying, depth + 1).Size, isReference: false)
                        : TypeLayout.Unknown(LayoutUnknownReason.Unresolved, Display(type), isValueClass: false);
                case TypeKind.Class:
                case TypeKind.Interface:
                case TypeKind.Delegate:
                case TypeKind.Array:
                case TypeKind.Dynamic:
                    return TypeLayout.Scalar(PointerSize, isReference: true);
                case TypeKind.Struct when type is INamedTypeSymbol named:
                    return StructLayout(named, depth);
                default:
                    // Error types, open type parameters, anything the compiler could not bind.
                    return TypeLayout.Unknown(LayoutUnknownReason.Unresolved, Display(type));
            }
        }

        private TypeLayout StructLayout(INamedTypeSymbol type, int depth)
        {
            if (_done.TryGetValue(type, out var cached))
            {
                return cached;
            }

            if (depth > MaxDepth || !_inProgress.Add(type))
            {
                return TypeLayout.Unknown(LayoutUnknownReason.Cycle, Display(type));
            }

            TypeLayout layout;
            try
            {
                layout = ComputeStruct(type, depth);
            }
            finally
            {
                _inProgress.Remove(type);
            }

            _done[type] = layout;
            return layout;
        }

        private TypeLayout ComputeStruct(INamedTypeSymbol type, int depth)
        {
            if (!IsFromSource(type))
            {
                return MetadataStructLayout(type, depth);
            }

            var (kind, pack, declaredSize, inlineArrayLength) = ReadLayoutAttributes(type);
            var explicitLayout = kind == LayoutKindExplicit;
            var fields = new List<PendingField>();
            foreach (var member in type.GetMembers())
            {
                if (member is not IFieldSymbol { IsStatic: false, IsConst: false } field)
                {
                    continue;
                }

                var name = field.AssociatedSymbol?.Name ?? field.Name;
                if (field.IsFixedSizeBuffer)
                {
                    var element = field.Type is IPointerTypeSymbol pointer ? pointer.PointedAtType : field.Type;
                    if (field.FixedSize <= 0)
                    {
                        // fixed int B[0] or [-1] does not compile (CS1664).
                        return TypeLayout.Unknown(LayoutUnknownReason.Unresolved, Display(type));
                    }

                    fields.Add(new PendingField(name, element, field.FixedSize, "fixed " + Display(element) + "[" + field.FixedSize.ToString(System.Globalization.CultureInfo.InvariantCulture) + "]", explicitLayout ? ReadFieldOffset(field) : null));
                }
                else
                {
                    fields.Add(new PendingField(name, field.Type, 0, null, explicitLayout ? ReadFieldOffset(field) : null));
                }
            }

            if (inlineArrayLength > 0)
            {
                return InlineArrayLayout(type, kind, pack, declaredSize, inlineArrayLength, fields, depth);
            }

            return Composite(kind, pack, declaredSize, fields, depth);
        }

        // A struct from a referenced assembly: the BCL table, or the BCL generics whose layout is known.
        private TypeLayout MetadataStructLayout(INamedTypeSymbol type, int depth)
        {
            if (type.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T && type.TypeArguments.Length == 1)
            {
                // struct Nullable<T> { bool hasValue; T value; }: sequential.
                // hasValue has no symbol at hand: a pending field without a type is a primitive of FixedLength bytes.
                var hasValue = new PendingField("hasValue", null, 1, "bool", null);
                return Composite(LayoutKindSequential, 0, 0, new[] { hasValue, Field("value", type.TypeArguments[0]) }, depth);
            }

            var metadataName = MetadataName(type);
            if (KnownValueTypes.TryGet(metadataName, out var knownSize, out var knownAlignment))
            {
                return TypeLayout.Known(knownSize, knownAlignment);
            }

            if (metadataName == "System.Collections.Generic.KeyValuePair`2" && type.TypeArguments.Length == 2)
            {
                return Composite(LayoutKindSequential, 0, 0, new[] { Field("key", type.TypeArguments[0]), Field("value", type.TypeArguments[1]) }, depth);
            }

            if (metadataName == "System.ValueTuple" || metadataName.StartsWith("System.ValueTuple`", StringComparison.Ordinal))
            {
                // ValueTuple is [StructLayout(LayoutKind.Auto)]: the CLR reorders Item1..Item7 and Rest.
                var tuple = type.TupleUnderlyingType ?? type;
                var items = new List<PendingField>();
                for (var i = 0; i < tuple.TypeArguments.Length; i++)
                {
                    items.Add(Field(i == 7 ? "Rest" : "Item" + (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), tuple.TypeArguments[i]));
                }

                return Composite(LayoutKindAuto, 0, 0, items, depth);
            }

            // Any other struct from metadata: Roslyn's public API does not show its StructLayout, and reference
            // assemblies replace private fields with dummies. Say "unknown" rather than guess.
            return TypeLayout.Unknown(LayoutUnknownReason.OpaqueType, Display(type));
        }

        // [InlineArray(n)]: the CLR lays out the one-field struct, then repeats it n times.
        private TypeLayout InlineArrayLayout(INamedTypeSymbol type, int kind, int pack, int declaredSize, int length, List<PendingField> fields, int depth)
        {
            if (fields.Count != 1 || kind == LayoutKindExplicit || declaredSize != 0)
            {
                // Not one field (CS9169), explicit layout or an explicit size: the CLR refuses to load the type.
                return TypeLayout.Unknown(LayoutUnknownReason.Unresolved, Display(type));
            }

            var single = Composite(kind, pack, declaredSize: 0, fields, depth);
            if (!single.IsKnown)
            {
                return single;
            }

            var size = checked(single.Size * length);
            var alignment = single.Alignment;
            if (single.Strategy == LayoutStrategy.Auto && alignment == Math.Min(single.Size, PointerSize))
            {
                // An auto-layout type records its alignment only when it differs from min(size, pointer); otherwise
                // the CLR derives it from the size, which is now the multiplied one (an int[3] inline array is 8-aligned).
                alignment = Math.Min(size, PointerSize);
            }

            return new TypeLayout(size, alignment, single.Strategy, true, single.ContainsReferences, pack, 0, single.Fields, LayoutUnknownReason.None, null);
        }

        private static PendingField Field(string name, ITypeSymbol type) => new(name, type, 0, null, null);

        private TypeLayout Composite(int kind, int pack, int declaredSize, IReadOnlyList<PendingField> pending, int depth)
        {
            var placed = new PlacedField[pending.Count];
            var containsReferences = false;
            for (var i = 0; i < pending.Count; i++)
            {
                placed[i] = Place(pending[i], depth);
                if (placed[i].Layout.Size < 0)
                {
                    // One unknown field makes the whole struct unknown; report the innermost culprit.
                    var fields = placed.Take(i + 1).Select(p => new FieldLayout(p.Name, p.TypeDisplay, -1, p.Layout.Size, p.Layout.Alignment));
                    return Propagate(placed[i].Layout, isValueClass: true, fields.ToImmutableArray());
                }

                containsReferences |= placed[i].Layout.ContainsReferences;
            }

            // The CLR cannot keep a sequential struct that holds references in order: it lays it out as auto.
            if (kind == LayoutKindSequential && containsReferences)
            {
                kind = LayoutKindAuto;
            }

            return kind switch
            {
                LayoutKindExplicit => ExplicitLayout(pack, declaredSize, placed, pending),
                LayoutKindAuto => AutoLayout(placed, containsReferences),
                _ => SequentialLayout(pack, declaredSize, placed, containsReferences),
            };
        }

        private static TypeLayout SequentialLayout(int pack, int declaredSize, PlacedField[] placed, bool containsReferences)
        {
            var fields = ImmutableArray.CreateBuilder<FieldLayout>(placed.Length);
            var position = 0;
            var largestAlignment = 1;
            foreach (var field in placed)
            {
                var alignment = Packed(field.Layout.Alignment, pack);
                position = AlignUp(position, alignment);
                fields.Add(new FieldLayout(field.Name, field.TypeDisplay, position, field.Layout.Size, alignment));
                position = checked(position + field.Layout.Size);
                largestAlignment = Math.Max(largestAlignment, alignment);
            }

            return new TypeLayout(FinishSize(position, largestAlignment, declaredSize), largestAlignment, LayoutStrategy.Sequential, true, containsReferences, pack, declaredSize, fields.MoveToImmutable(), LayoutUnknownReason.None, null);
        }

        private static TypeLayout ExplicitLayout(int pack, int declaredSize, PlacedField[] placed, IReadOnlyList<PendingField> pending)
        {
            var fields = ImmutableArray.CreateBuilder<FieldLayout>(placed.Length);
            var end = 0;
            var largestAlignment = 1;
            for (var i = 0; i < placed.Length; i++)
            {
                if (pending[i].ExplicitOffset is not { } offset || offset < 0)
                {
                    // Every field of an explicit struct needs [FieldOffset] (CS0625): the code does not compile yet.
                    return TypeLayout.Unknown(LayoutUnknownReason.Unresolved, pending[i].Name);
                }

                var alignment = Packed(placed[i].Layout.Alignment, pack);
                fields.Add(new FieldLayout(placed[i].Name, placed[i].TypeDisplay, offset, placed[i].Layout.Size, alignment));
                end = Math.Max(end, checked(offset + placed[i].Layout.Size));
                largestAlignment = Math.Max(largestAlignment, alignment);
            }

            return new TypeLayout(FinishSize(end, largestAlignment, declaredSize), largestAlignment, LayoutStrategy.Explicit, true, false, pack, declaredSize, fields.MoveToImmutable(), LayoutUnknownReason.None, null);
        }

        private static TypeLayout AutoLayout(PlacedField[] placed, bool containsReferences)
        {
            var offsets = new int[placed.Length];
            var position = 0;

            // Primitive-like fields first, grouped by size from 8 down to 1; references lead the 8-byte group.
            for (var size = PointerSize; size >= 1; size /= 2)
            {
                for (var pass = 0; pass < 2; pass++)
                {
                    for (var i = 0; i < placed.Length; i++)
                    {
                        var layout = placed[i].Layout;
                        if (layout.IsValueClass || layout.Size != size || layout.ContainsReferences != (pass == 0))
                        {
                            continue;
                        }

                        position = AlignUp(position, size);
                        offsets[i] = position;
                        position += size;
                    }
                }
            }

            // Then struct fields, in declaration order, each at its own alignment (pointer alignment if it holds references).
            var largestAlignment = 1;
            for (var i = 0; i < placed.Length; i++)
            {
                var layout = placed[i].Layout;
                if (!layout.IsValueClass)
                {
                    largestAlignment = Math.Max(largestAlignment, PointerSize);
                    continue;
                }

                var alignment = layout.ContainsReferences ? PointerSize : layout.Alignment;
                largestAlignment = Math.Max(largestAlignment, alignment);
                position = AlignUp(position, alignment);
                offsets[i] = position;
                position = checked(position + layout.Size);
            }

            // "The JITs like to copy full machine words": up to 8 bytes, round to a power of two; beyond, to the largest alignment.
            var unrounded = Math.Max(position, 1);
            int minAlignment;
            if (unrounded > PointerSize)
            {
                minAlignment = containsReferences ? PointerSize : largestAlignment;
            }
            else
            {
                minAlignment = 1;
                while (minAlignment < unrounded)
                {
                    minAlignment *= 2;
                }
            }

            var fields = ImmutableArray.CreateBuilder<FieldLayout>(placed.Length);
            for (var i = 0; i < placed.Length; i++)
            {
                var layout = placed[i].Layout;
                fields.Add(new FieldLayout(placed[i].Name, placed[i].TypeDisplay, offsets[i], layout.Size, layout.IsValueClass ? layout.Alignment : layout.Size));
            }

            return new TypeLayout(AlignUp(unrounded, minAlignment), minAlignment, LayoutStrategy.Auto, true, containsReferences, 0, 0, fields.MoveToImmutable(), LayoutUnknownReason.None, null);
        }

        private PlacedField Place(PendingField field, int depth)
        {
            if (field.Type is null)
            {
                // A field with no symbol (Nullable<T>.hasValue): a primitive of the given size.
                return new PlacedField(field.Name, field.DisplayOverride ?? "?", TypeLayout.Scalar(field.FixedLength, isReference: false));
            }

            var layout = Layout(field.Type, depth + 1);
            var display = field.DisplayOverride ?? Display(field.Type);
            if (field.FixedLength > 0 && layout.Size >= 0)
            {
                // A fixed buffer is a compiler-made struct [StructLayout(Sequential, Size = n * sizeof(T))] { T e; }.
                layout = new TypeLayout(checked(layout.Size * field.FixedLength), layout.Alignment, LayoutStrategy.Sequential, true, false, 0, 0, default, LayoutUnknownReason.None, null);
            }

            return new PlacedField(field.Name, display, layout);
        }

        private static TypeLayout Propagate(TypeLayout unknown, bool isValueClass, ImmutableArray<FieldLayout> fields = default) =>
            TypeLayout.Unknown(unknown.UnknownReason, unknown.UnknownTypeName ?? "?", isValueClass, fields);

        private static int Packed(int alignment, int pack) => pack > 0 ? Math.Min(alignment, pack) : alignment;
    }

    private static bool IsFromSource(INamedTypeSymbol type)
    {
        foreach (var location in type.OriginalDefinition.Locations)
        {
            if (location.IsInSource)
            {
                return true;
            }
        }

        return false;
    }

    private static (int Kind, int Pack, int Size, int InlineArrayLength) ReadLayoutAttributes(INamedTypeSymbol type)
    {
        var kind = LayoutKindSequential;
        var pack = 0;
        var size = 0;
        var inlineArrayLength = 0;
        foreach (var attribute in type.OriginalDefinition.GetAttributes())
        {
            var attributeClass = attribute.AttributeClass;
            if (attributeClass is null)
            {
                continue;
            }

            if (attributeClass.Name is not ("StructLayoutAttribute" or "InlineArrayAttribute"))
            {
                continue;
            }

            var name = MetadataName(attributeClass);
            if (name == "System.Runtime.InteropServices.StructLayoutAttribute")
            {
                if (attribute.ConstructorArguments.Length == 1 && ToInt(attribute.ConstructorArguments[0]) is { } k)
                {
                    kind = k;
                }

                foreach (var named in attribute.NamedArguments)
                {
                    if (named.Key == "Pack" && ToInt(named.Value) is { } p)
                    {
                        pack = p;
                    }
                    else if (named.Key == "Size" && ToInt(named.Value) is { } s)
                    {
                        size = s;
                    }
                }
            }
            else if (name == "System.Runtime.CompilerServices.InlineArrayAttribute"
                && attribute.ConstructorArguments.Length == 1 && ToInt(attribute.ConstructorArguments[0]) is { } length)
            {
                inlineArrayLength = length;
            }
        }

        // Invalid values are compile errors (CS0599); keep the arithmetic sane meanwhile.
        return (kind, pack is 0 or 1 or 2 or 4 or 8 or 16 or 32 or 64 or 128 ? pack : 0, Math.Max(size, 0), Math.Max(inlineArrayLength, 0));
    }

    private static int? ReadFieldOffset(IFieldSymbol field)
    {
        foreach (var attribute in field.GetAttributes())
        {
            if (attribute.AttributeClass is { Name: "FieldOffsetAttribute" } attributeClass
                && MetadataName(attributeClass) == "System.Runtime.InteropServices.FieldOffsetAttribute"
                && attribute.ConstructorArguments.Length == 1)
            {
                return ToInt(attribute.ConstructorArguments[0]);
            }
        }

        return null;
    }

    private static int? ToInt(TypedConstant constant)
    {
        if (constant.Kind is TypedConstantKind.Error or TypedConstantKind.Array)
        {
            return null;
        }

        return constant.Value switch
        {
            int i => i,
            short s => s,
            ushort us => us,
            byte b => b,
            sbyte sb => sb,
            uint ui when ui <= int.MaxValue => (int)ui,
            long l when l is >= int.MinValue and <= int.MaxValue => (int)l,
            _ => null,
        };
    }

    private static string Display(ITypeSymbol type) => type.ToDisplayString(s_displayFormat);

    private readonly record struct PendingField(string Name, ITypeSymbol? Type, int FixedLength, string? DisplayOverride, int? ExplicitOffset);

    private readonly record struct PlacedField(string Name, string TypeDisplay, TypeLayout Layout);
}
