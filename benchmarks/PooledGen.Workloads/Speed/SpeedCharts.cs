using System.IO;
using System.Linq;
using PooledGen.Benchmarks.Shared;

namespace PooledGen.Workloads.Speed;

/// <summary>
/// The charts <c>speed</c> writes beside its tables: per pattern, ns per alloc+free pair by size for every row
/// (<c>speed-batch.png</c>, <c>speed-lifo.png</c>, <c>speed-random.png</c>), and the hand-off (<c>speed-handoff.png</c>).
/// </summary>
internal static class SpeedCharts
{
    public static void Write(string folder, SpeedResults results)
    {
        foreach (var pattern in results.Rows.Select(f => f.Pattern).Distinct())
        {
            var figures = results.Rows.Where(f => f.Pattern == pattern).ToList();
            var sizes = figures.Select(f => f.Size).Distinct().Order().ToArray();
            var rows = figures.Select(f => f.Row).Distinct().ToArray();
            var legend = rows.Select(r => figures.First(f => f.Row == r)).Select(f => Format.Legend(f.Allocator, f.Api)).ToArray();
            var path = Path.Combine(folder, $"speed-{pattern}.png");
            GroupedBarChart.Write(path, $"speed, {pattern}: median ns per alloc+free pair", "payload size", "ns per alloc+free (lower is better)",
                sizes.Select(s => $"{s} B").ToArray(), legend,
                (g, s) => figures.FirstOrDefault(f => f.Size == sizes[g] && f.Row == rows[s])?.MedianNs);
            System.Console.WriteLine($"Wrote {path}");
        }

        if (results.Handoff.Count > 0)
        {
            var handoff = results.Handoff;
            var path = Path.Combine(folder, "speed-handoff.png");
            GroupedBarChart.Write(path, "speed, hand-off of 32-byte blocks: median ns per block", "where the block is freed", "ns per block (lower is better)",
                ["same thread", "cross thread"], handoff.Select(h => Format.Legend(h.Allocator, h.Api)).ToArray(),
                (g, s) => g == 0 ? handoff[s].SameThreadNs : handoff[s].CrossThreadNs);
            System.Console.WriteLine($"Wrote {path}");
        }
    }
}
