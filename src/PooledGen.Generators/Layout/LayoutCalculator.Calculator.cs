using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;

namespace PooledGen.Generators.Layout;

/// <summary>The walk over a struct and its fields, depth first, each type laid out once.</summary>
internal static partial class LayoutCalculator
{
    /// <summary>One computation: the layouts found so far, and the structs being laid out (met again, they are a cycle: unknown).</summary>
    private sealed partial class Calculator
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

            if (depth > MaxDepth)
            {
                return TypeLayout.Unknown(LayoutUnknownReason.TooDeep, Display(type));
            }

            if (!_inProgress.Add(type))
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
}
