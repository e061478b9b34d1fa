namespace PooledGen.Generators.Layout;

/// <summary>
/// The runtime's size classes, as the generator (PooledBlockSize) and the analyzer (PG0001, PG0005) see them:
/// pymalloc's 16-byte steps up to the small-object threshold.
/// </summary>
internal static class SizeClasses
{
    /// <summary>Requests of more bytes than this go to the large-object path (<c>PooledHeap.SmallObjectThreshold</c>).</summary>
    public const int SmallObjectThreshold = 512;

    /// <summary>Blocks come in steps of this many bytes (and are aligned to it).</summary>
    public const int Step = 16;

    /// <summary>
    /// The block size of the class that serves <paramref name="size"/> bytes: 16, 32, … up to
    /// <paramref name="threshold"/>; 0 for the large-object path (over the threshold) and for an unknown size (-1).
    /// Exactly the threshold is still pooled.
    /// </summary>
    public static int BlockSize(int size, int threshold = SmallObjectThreshold) =>
        size > 0 && size <= threshold ? (size + Step - 1) / Step * Step : 0;
}
