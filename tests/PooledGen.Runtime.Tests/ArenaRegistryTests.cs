namespace PooledGen.Runtime.Tests;

/// <summary>
/// The arena registry: a radix tree over addresses in native memory (ArenaAddressMap.cs). Most tests use maps of
/// their own, so that fake arenas never reach the process's registry and any arena size can be tried.
/// </summary>
public unsafe class ArenaRegistryTests
{
    private static readonly ulong Covered = 1UL << ArenaAddressMap.CoveredAddressBits;
    private const ulong Window = 1UL << 36;

    public static TheoryData<int> ArenaSizes => new() { PooledHeapOptions.MinArenaSize, 256 * 1024, PooledHeapOptions.DefaultArenaSize, 16 << 20, PooledHeapOptions.MaxArenaSize };

    [Fact]
    public void An_empty_map_contains_no_address()
    {
        OnNewMap(map =>
        {
            foreach (ulong address in new ulong[] { 0, 1, 0x10000, 0x7F12_3456_0000, Covered - 1, Covered, ulong.MaxValue })
            {
                Assert.False(map.Contains((nuint)address), $"0x{address:X}");
            }
        });
    }

    [Theory]
    [MemberData(nameof(ArenaSizes))]
    public void Arenas_at_the_edges_of_the_address_space_and_of_a_window_are_added_found_and_removed(int arenaSize)
    {
        ulong size = (ulong)arenaSize;
        ulong[] edges = [0, size, Window - size, Window, Window + size, Covered - size];
        OnNewMap(map =>
        {
            foreach (ulong arena in edges)
            {
                map.Add((nuint)arena, arenaSize);
            }

            foreach (ulong arena in edges)
            {
                Assert.True(map.Contains((nuint)arena), $"base 0x{arena:X}");
                Assert.True(map.Contains((nuint)(arena + size - 1)), $"last byte of 0x{arena:X}");
            }

            // Neighbours that were never added: between the edges, and past the covered range.
            foreach (ulong other in new[] { 2 * size, Window - 2 * size, Window + 2 * size, Covered - 2 * size, Covered, Covered + size, ulong.MaxValue })
            {
                Assert.False(map.Contains((nuint)other), $"0x{other:X} was never added");
            }

            foreach (ulong arena in edges)
            {
                map.Remove((nuint)arena, arenaSize);
                Assert.False(map.Contains((nuint)arena), $"0x{arena:X} was removed");
            }
        });
    }

    [Fact]
    public void Add_refuses_an_arena_above_the_covered_addresses_a_misaligned_one_and_a_second_registration()
    {
        const int size = PooledHeapOptions.DefaultArenaSize;
        OnNewMap(map =>
        {
            var above = Assert.Throws<InvalidOperationException>(() => map.Add((nuint)Covered, size));
            Assert.Contains("2^48", above.Message);
            Assert.False(map.Contains((nuint)Covered));

            Assert.Throws<ArgumentException>(() => map.Add((nuint)(size + 4096), size));

            map.Add(size, size);
            Assert.Throws<InvalidOperationException>(() => map.Add(size, size));
            Assert.Throws<InvalidOperationException>(() => map.Add(2 * size, 2 * size)); // one size per map
            Assert.Throws<InvalidOperationException>(() => map.Remove(2 * size, size));
            Assert.True(map.Contains(size));
        });
    }

    [Fact]
    public void Readers_never_miss_a_live_arena_while_a_writer_adds_and_removes_its_neighbours()
    {
        const int size = PooledHeapOptions.MinArenaSize;
        var writeLock = new object();
        OnNewMap(map =>
        {
            // Live arenas share bitmap words with the churned ones (even and odd slots), and the writer also opens
            // leaves in new windows while the readers run.
            nuint Slot(int window, int index) => (nuint)((ulong)window * Window + (ulong)index * size);
            for (int i = 0; i < 256; i += 2)
            {
                map.Add(Slot(1, i), size);
            }

            using var stop = new CancellationTokenSource();
            long misses = 0, lookups = 0;
            Thread[] readers = Enumerable.Range(0, 2).Select(_ => new Thread(() =>
            {
                long localLookups = 0;
                while (!stop.IsCancellationRequested)
                {
                    for (int i = 0; i < 256; i += 2)
                    {
                        if (!map.Contains(Slot(1, i) + 100))
                        {
                            Interlocked.Increment(ref misses);
                        }
                    }

                    localLookups += 128;
                }

                Interlocked.Add(ref lookups, localLookups);
            })).ToArray();
            foreach (Thread reader in readers)
            {
                reader.Start();
            }

            for (int round = 0; round < 200; round++)
            {
                lock (writeLock)
                {
                    for (int i = 1; i < 256; i += 2)
                    {
                        map.Add(Slot(1, i), size);
                    }

                    map.Add(Slot(2 + round, round), size);
                }

                lock (writeLock)
                {
                    for (int i = 1; i < 256; i += 2)
                    {
                        map.Remove(Slot(1, i), size);
                    }
                }
            }

            stop.Cancel();
            foreach (Thread reader in readers)
            {
                reader.Join();
            }

            Assert.Equal(0, Interlocked.Read(ref misses));
            Assert.True(Interlocked.Read(ref lookups) > 0, "the readers never ran");
            Assert.False(map.Contains(Slot(1, 1)));
            Assert.True(map.Contains(Slot(201, 199)));
        });
    }

    // A map of the test's own, freed at the end (the process's registry is never freed).
    private static void OnNewMap(Action<ArenaAddressMap> test)
    {
        var map = ArenaAddressMap.Create();
        try
        {
            test(map);
        }
        finally
        {
            map.Free();
        }
    }

    [Fact]
    public void Ten_thousand_adds_and_removes_in_the_process_registry_allocate_no_GC_memory()
    {
        // Low addresses: below where the kernel places any mapping of its own choosing, so no real arena is there.
        var arenas = new nuint[] { (nuint)HeapGeometry.ArenaSize * 3, (nuint)HeapGeometry.ArenaSize * 5 };
        Cycle(arenas, 10); // warm: the lock, the JIT, the leaf of this window

        long before = GC.GetAllocatedBytesForCurrentThread();
        Cycle(arenas, 10_000);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.False(ArenaRegistry.Contains(arenas[0]));

        static void Cycle(nuint[] arenas, int pairs)
        {
            for (int i = 0; i < pairs; i++)
            {
                nuint arena = arenas[i & 1];
                ArenaRegistry.Add(arena);
                Assert.True(ArenaRegistry.Contains(arena));
                ArenaRegistry.Remove(arena);
            }
        }
    }

    [Fact]
    public void A_heap_that_maps_and_unmaps_arenas_in_bursts_allocates_no_GC_memory()
    {
        // Issue 17: each cycle of a burst mapped and unmapped arenas, and each rebuilt the registry as a new array.
        int blocks = 4 * HeapGeometry.ArenaSize / 48; // 48-byte blocks: about four arenas
        var pointers = (void**)System.Runtime.InteropServices.NativeMemory.Alloc((nuint)blocks, (nuint)sizeof(void*));
        try
        {
            // No cache of empty pools and no purge delay: every burst then empties arenas and unmaps them at once, which
            // is what is measured (PurgeTests measures the GC bytes of bursts with the default delay).
            using var heap = new ArenaHeap { CachedPoolLimit = 0, PurgeDelayMilliseconds = 0 };
            Burst(heap, pointers, blocks);
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int cycle = 0; cycle < 10; cycle++)
            {
                Burst(heap, pointers, blocks);
            }

            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
            Assert.True(heap.GetStatistics().ArenasReleased >= 10, "the bursts did not unmap arenas: the test measures nothing");
        }
        finally
        {
            System.Runtime.InteropServices.NativeMemory.Free(pointers);
        }

        static void Burst(ArenaHeap heap, void** pointers, int blocks)
        {
            for (int i = 0; i < blocks; i++)
            {
                pointers[i] = heap.Allocate(48);
            }

            for (int i = 0; i < blocks; i++)
            {
                heap.Free(pointers[i]);
            }
        }
    }
}
