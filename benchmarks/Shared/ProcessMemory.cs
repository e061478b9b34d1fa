using System;
using System.Globalization;
using System.IO;

namespace PooledGen.Benchmarks.Shared;

// Compiled into both benchmark programs (PooledGen.Benchmarks' memory harness, PooledGen.Workloads' larson).


/// <summary>This process's resident set: VmRSS now and VmHWM (its peak), from /proc/self/status; -1 where unknown.</summary>
internal readonly record struct ProcessMemory(long Rss, long PeakRss)
{
    public static ProcessMemory Read()
    {
        long rss = -1, peak = -1;
        if (!File.Exists("/proc/self/status"))
        {
            return new ProcessMemory(rss, peak);
        }

        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = Kibibytes(line);
            }
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                peak = Kibibytes(line);
            }
        }

        return new ProcessMemory(rss, peak);

        static long Kibibytes(string line) =>
            long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }
}
