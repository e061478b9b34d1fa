using System.Runtime.InteropServices;
using Xunit.Abstractions;

namespace PooledGen.Runtime.Tests;

/// <summary>
/// Memory given back reaches the operating system: arenas are mapped and unmapped (OsMemory.cs), not taken from
/// glibc, which kept freed arenas (issue #7 measured RSS 9.3 MiB above its start after free-all and Trim()).
/// Runs alone, so that no other test moves the process's RSS while it measures.
/// </summary>
[Collection(ProcessMemoryCollection.Name)]
public unsafe class OsMemoryTests(ITestOutputHelper output)
{
    private const long MiB = 1024 * 1024;

    [Fact]
    public void After_64_MiB_of_small_blocks_are_freed_and_trimmed_the_process_RSS_is_back_near_its_start()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // VmRSS comes from /proc/self/status.
        }

        const int blockSize = 128;
        const int count = (int)(64 * MiB / blockSize);

        // The test's own pointer array, touched before the first reading, so that it counts at the start and the end alike.
        var blocks = (nint*)NativeMemory.Alloc(count, (nuint)sizeof(nint));
        try
        {
            new Span<nint>(blocks, count).Fill(1);
            using var heap = new ArenaHeap();
            heap.Free(heap.Allocate(blockSize)); // the thread heap and the code paths exist before the first reading
            heap.Trim();
            long start = SettledRss();

            for (int i = 0; i < count; i++)
            {
                blocks[i] = (nint)heap.Allocate(blockSize); // zeroed: every page is touched
            }

            long full = SettledRss();
            Assert.True(full - start >= 48 * MiB, $"RSS grew only {(full - start) / MiB} MiB for 64 MiB of blocks: the test measures nothing");

            for (int i = 0; i < count; i++)
            {
                heap.Free((void*)blocks[i]);
            }

            heap.Trim();
            Assert.Equal(0, heap.GetStatistics().BytesReserved);
            long end = SettledRss();
            output.WriteLine($"RSS start {start / (double)MiB:F1} MiB, full {full / (double)MiB:F1} MiB, after free-all + Trim {end / (double)MiB:F1} MiB ({(end - start) / (double)MiB:+0.0;-0.0} MiB)");
            Assert.True(end - start <= 8 * MiB,
                $"RSS: {start / MiB} MiB at the start, {full / MiB} MiB with 64 MiB of blocks, {end / MiB} MiB after free-all and Trim(): " +
                $"{(end - start) / MiB} MiB were not given back to the operating system");
        }
        finally
        {
            NativeMemory.Free(blocks);
        }
    }

    private static long SettledRss()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException("no VmRSS line in /proc/self/status");
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessMemoryCollection
{
    public const string Name = "Process memory";
}
