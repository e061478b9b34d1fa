using System;
using System.Collections.Generic;
using System.Collections.Immutable;

namespace PooledGen.Generators.Layout;

/// <summary>The CLR's three ways of placing fields: sequential, explicit and auto.</summary>
internal static partial class LayoutCalculator
{
    private sealed partial class Calculator
    {
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
    }
}
