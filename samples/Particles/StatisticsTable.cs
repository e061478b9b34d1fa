using System.Globalization;
using PooledGen;

namespace Particles;

/// <summary>Prints a <see cref="PooledHeapStatistics"/> snapshot as a user wants to read it.</summary>
public static class StatisticsTable
{
    private static readonly CultureInfo s_invariant = CultureInfo.InvariantCulture;

    public static void Write(TextWriter output, PooledHeapStatistics statistics)
    {
        var inUse = statistics.BytesReserved == 0 ? 0 : 100.0 * statistics.BytesInUse / statistics.BytesReserved;
        output.WriteLine(Format(
            "  arenas   {0:N0} held ({1} each), {2:N0} taken from the OS, {3:N0} returned, high-water {4:N0}",
            statistics.ArenasCurrent, Bytes(statistics.ArenaSize), statistics.ArenasAllocated, statistics.ArenasReleased, statistics.ArenasHighWater));
        output.WriteLine(Format(
            "  pools    {0:N0} serving size classes, {1:N0} free ({2} each)",
            statistics.SizeClasses.Sum(c => c.PoolsInUse), statistics.FreePools, Bytes(statistics.PoolSize)));
        output.WriteLine(Format(
            "  bytes    {0} reserved, {1} in use ({2:F1} %)", Bytes(statistics.BytesReserved), Bytes(statistics.BytesInUse), inUse));
        output.WriteLine(Format("  large    {0:N0} objects, {1}", statistics.LargeObjectCount, Bytes(statistics.LargeObjectBytes)));

        var used = statistics.SizeClasses.Where(c => c.PoolsInUse > 0 || c.BlocksInUse > 0).ToList();
        if (used.Count == 0)
        {
            output.WriteLine("  no size class holds a pool");
            return;
        }

        output.WriteLine(Format("  {0,5} {1,6} {2,7} {3,14} {4,12}  {5}", "class", "block", "pools", "blocks in use", "blocks free", "types"));
        foreach (var sizeClass in used)
        {
            var types = string.Join(", ", statistics.RegisteredTypes.Where(t => t.BlockSize == sizeClass.BlockSize).Select(t => $"{t.Name} ({t.Size} B)"));
            output.WriteLine(Format(
                "  {0,5} {1,6} {2,7:N0} {3,14:N0} {4,12:N0}  {5}",
                sizeClass.SizeClass, sizeClass.BlockSize, sizeClass.PoolsInUse, sizeClass.BlocksInUse, sizeClass.BlocksFree, types));
        }
    }

    /// <summary>Bytes in the largest binary unit that keeps a number of at least 1.</summary>
    public static string Bytes(long bytes) => bytes switch
    {
        >= 1L << 30 => Format("{0:F1} GiB", bytes / (double)(1L << 30)),
        >= 1L << 20 => Format("{0:F1} MiB", bytes / (double)(1L << 20)),
        >= 1L << 10 => Format("{0:F1} KiB", bytes / (double)(1L << 10)),
        _ => Format("{0} B", bytes),
    };

    private static string Format(string format, params object[] arguments) => string.Format(s_invariant, format, arguments);
}
