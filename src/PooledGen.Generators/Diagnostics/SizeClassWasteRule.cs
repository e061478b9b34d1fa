using System.Collections.Immutable;
using System.Linq;
using PooledGen.Generators.Layout;

namespace PooledGen.Generators.Diagnostics;

/// <summary>
/// Decides when PG0005 reports a pooled struct's size-class waste. A block is the struct's size rounded up to
/// 16 bytes, so the waste is at most 15 bytes and, by itself, rarely worth a word. The rule reports only:
/// <list type="bullet">
/// <item>padding that costs a size class: the layout engine's descending-alignment order gives a sequential
/// struct that fits a smaller block; the message names that order and a code fix applies it;</item>
/// <item>a struct that leaves at least half its block unused (8 bytes or less, in the 16-byte class): the block,
/// and the handle that points at it, cost more than the data.</item>
/// </list>
/// Documented in docs/diagnostics/PG0005.md.
/// </summary>
internal static class SizeClassWasteRule
{
    /// <summary>
    /// Evaluates a struct whose size is known and pooled. Pass <paramref name="canReorder"/> false when its fields
    /// cannot be moved in source (a positional record, or fields spread over several declarations); then only the
    /// half-empty-block case is reported. Returns null when there is nothing worth reporting.
    /// </summary>
    public static SizeClassWasteFinding? Evaluate(TypeLayout layout, bool canReorder)
    {
        var blockSize = SizeClasses.BlockSize(layout.Size);
        if (blockSize == 0)
        {
            return null;
        }

        // SizeForFieldOrder is -1 for explicit and auto layouts: their size does not follow declaration order.
        if (canReorder && layout.Fields.Length > 1)
        {
            var order = layout.DescendingAlignmentOrder();
            var betterSize = layout.SizeForFieldOrder(order);
            var betterBlock = SizeClasses.BlockSize(betterSize);
            if (betterBlock != 0 && betterBlock < blockSize)
            {
                var names = order.Select(i => layout.Fields[i].Name).ToImmutableArray();
                return new SizeClassWasteFinding(layout.Size, blockSize, names, betterSize, betterBlock);
            }
        }

        return (blockSize - layout.Size) * 2 >= blockSize
            ? new SizeClassWasteFinding(layout.Size, blockSize, default, 0, 0)
            : null;
    }
}

/// <summary>What PG0005 reports: the size, the block, and the better field order when there is one.</summary>
/// <param name="Size">The struct's size in bytes.</param>
/// <param name="BlockSize">The block of the size class that serves it.</param>
/// <param name="BetterOrder">Field names in the order that drops it into a smaller class, or default.</param>
/// <param name="BetterSize">The size in that order.</param>
/// <param name="BetterBlockSize">The block that serves it in that order.</param>
internal sealed record SizeClassWasteFinding(int Size, int BlockSize, ImmutableArray<string> BetterOrder, int BetterSize, int BetterBlockSize)
{
    /// <summary>Bytes of the block the struct leaves unused.</summary>
    public int WastedBytes => BlockSize - Size;

    /// <summary>True when reordering the fields drops the struct into a smaller class.</summary>
    public bool HasBetterOrder => !BetterOrder.IsDefault;
}
