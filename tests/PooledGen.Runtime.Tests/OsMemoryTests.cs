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

    [Fact]
    public void Decommitted_pages_leave_RSS_and_read_back_as_zeros_while_the_rest_of_the_arena_keeps_its_bytes()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // mincore answers on Linux and macOS; the Windows path is not tested here.
        }

        Assert.Equal(OsMemoryBackend.Mmap, OsMemory.Backend);
        const int size = 256 * 1024;
        byte* arena = OsMemory.AllocateAligned(size);
        try
        {
            Assert.Equal(0, OsMemory.ResidentBytes(arena, size)); // mapped, never touched
            new Span<byte>(arena, size).Fill(0xAB);
            Assert.Equal(size, OsMemory.ResidentBytes(arena, size));

            // The second quarter, as a purge would give back an empty pool inside a live arena.
            byte* pool = arena + size / 4;
            Assert.True(OsMemory.Decommit(pool, size / 4));

            Assert.Equal(0, OsMemory.ResidentBytes(pool, size / 4));
            Assert.Equal(3 * size / 4, OsMemory.ResidentBytes(arena, size));

            // Read last: a page read after decommit maps the kernel's shared zero page, which mincore counts as resident.
            Assert.True(new Span<byte>(pool, size / 4).IndexOfAnyExcept((byte)0) < 0, "a decommitted page kept its bytes");
            Assert.True(new Span<byte>(arena, size / 4).IndexOfAnyExcept((byte)0xAB) < 0, "the pages before the range changed");
            Assert.True(new Span<byte>(pool + size / 4, size / 2).IndexOfAnyExcept((byte)0xAB) < 0, "the pages after the range changed");
        }
        finally
        {
            OsMemory.Free(arena, size);
        }
    }

    [Fact]
    public void A_decommitted_range_can_be_written_again_after_Recommit()
    {
        if (!OsMemory.CanDecommit)
        {
            return;
        }

        const int size = 256 * 1024;
        byte* arena = OsMemory.AllocateAligned(size);
        try
        {
            new Span<byte>(arena, size).Fill(0x5A);
            Assert.True(OsMemory.Decommit(arena, size));
            OsMemory.Recommit(arena, size);

            new Span<byte>(arena, size / 2).Fill(0x77);
            long resident = OsMemory.ResidentBytes(arena, size);
            Assert.True(resident is -1 or size / 2, $"{resident} bytes resident after writing half of the range again");
            Assert.True(new Span<byte>(arena, size / 2).IndexOfAnyExcept((byte)0x77) < 0);
            Assert.True(new Span<byte>(arena + size / 2, size / 2).IndexOfAnyExcept((byte)0) < 0, "the untouched half is not zeros");
        }
        finally
        {
            OsMemory.Free(arena, size);
        }
    }

    [Fact]
    public void Decommit_of_a_range_that_is_not_whole_pages_does_nothing_and_says_so()
    {
        const int size = 256 * 1024;
        byte* arena = OsMemory.AllocateAligned(size);
        try
        {
            new Span<byte>(arena, size).Fill(0x33);
            Assert.False(OsMemory.Decommit(arena + 100, (nuint)Environment.SystemPageSize));
            Assert.False(OsMemory.Decommit(arena, 100));
            Assert.False(OsMemory.Decommit(arena, 0));
            Assert.True(new Span<byte>(arena, size).IndexOfAnyExcept((byte)0x33) < 0, "a refused decommit changed the bytes");
        }
        finally
        {
            OsMemory.Free(arena, size);
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
