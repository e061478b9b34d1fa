using static PooledGen.Generators.Tests.Ownership.OwnershipTestSource;

namespace PooledGen.Generators.Tests.Ownership;

/// <summary>
/// Blocks from a private <c>ArenaHeap</c> are followed as blocks from <c>T.Alloc</c> are; disposing the heap frees every
/// block allocated from it, so the arena idiom (allocate, never free, dispose the heap) is no leak.
/// </summary>
public class OwnershipPrivateHeapTests
{
    [Fact]
    public Task Block_from_a_heap_in_a_field_never_freed_leaks() => VerifyAsync("""
        class C
        {
            private readonly ArenaHeap _heap = new();

            void M(bool done)
            {
                var h = {|PG0012:_heap.Alloc<Particle>()|};
                if (done) return;
                var g = {|PG0012:_heap.Alloc(new Particle { X = 1 })|};
                h.Value.X = g.Value.X;
                _heap.Free(h);
            }
        }
        """);

    [Fact]
    public Task Block_from_a_heap_passed_in_or_never_disposed_leaks() => VerifyAsync("""
        class C
        {
            void M(ArenaHeap shared)
            {
                var h = {|PG0012:shared.Alloc<Particle>()|};
                h.Value.X = 1;

                var mine = new ArenaHeap();
                var g = {|PG0012:mine.Alloc<Particle>()|};
                g.Value.X = 2;
            }
        }
        """);

    [Fact]
    public Task Freeing_a_heap_block_twice_is_a_double_free() => VerifyAsync("""
        class C
        {
            void M(bool c)
            {
                using var heap = new ArenaHeap();
                var h = heap.Alloc<Particle>();
                heap.Free(h);
                {|PG0011:heap.Free(h)|};

                var g = heap.Alloc<Particle>();
                if (c) Particle.Free(g);
                {|PG0011:heap.Free(g)|};
            }
        }
        """);

    [Fact]
    public Task Using_a_heap_block_after_its_free_is_a_use_after_free() => VerifyAsync("""
        class C
        {
            float M()
            {
                using var heap = new ArenaHeap();
                var h = heap.Alloc(new Particle { X = 2 });
                heap.Free(h);
                return {|PG0010:h|}.Value.X;
            }
        }
        """);

    [Fact]
    public Task Using_or_freeing_a_block_after_its_heap_is_disposed_is_reported() => VerifyAsync("""
        class C
        {
            void M()
            {
                var heap = new ArenaHeap();
                var h = heap.Alloc<Particle>();
                var g = heap.Alloc<Particle>();
                heap.Dispose();
                {|PG0010:h|}.Value.X = 1;
                {|PG0011:heap.Free(g)|};
            }
        }
        """);

    [Fact]
    public Task Alloc_use_free_on_a_private_heap_is_silent() => VerifyAsync("""
        class C
        {
            private readonly ArenaHeap _heap = new();

            float M(bool c)
            {
                using var heap = new ArenaHeap();
                var h = heap.Alloc<Particle>();
                try
                {
                    if (c) return 0;
                    h.Value.X = 1;
                }
                finally
                {
                    heap.Free(h);
                }

                var g = _heap.Alloc(new Particle { X = 3 });
                var x = g.Value.X;
                _heap.Free(g);
                return x;
            }
        }
        """);

    [Fact]
    public Task Disposing_the_heap_frees_the_blocks_allocated_from_it() => VerifyAsync("""
        class C
        {
            float Arena(int n)
            {
                using var heap = new ArenaHeap();
                var sum = 0f;
                for (var i = 0; i < n; i++)
                {
                    var h = heap.Alloc<Particle>();
                    h.Value.X = i;
                    sum += h.Value.X;
                }

                return sum;
            }

            void Explicit()
            {
                var heap = new ArenaHeap();
                var h = heap.Alloc<Particle>();
                h.Value.X = 1;
                heap.Dispose();
            }

            void ThroughALocalView()
            {
                using var arena = new ArenaHeap();
                var local = arena.Local;
                var h = local.Alloc<Particle>();
                h.Value.X = 1;
            }

            void Statement()
            {
                using (var heap = new ArenaHeap())
                {
                    var h = heap.Alloc(new Particle { X = 1 });
                    Helpers.Inspect(h);
                }
            }
        }
        """);

    [Fact]
    public Task Heap_blocks_freed_through_any_entry_point_are_silent() => VerifyAsync("""
        class C
        {
            private readonly ArenaHeap _heap = new();

            void M()
            {
                var a = _heap.Alloc<Particle>();
                Particle.Free(a);
                var b = _heap.Alloc<Particle>();
                PooledHeap.Free(b);
                var c = _heap.Alloc<Particle>();
                c.Dispose();
                var d = Particle.Alloc();
                _heap.Free(d);
            }
        }
        """);

    [Fact]
    public Task Heap_blocks_handed_on_or_guarded_by_a_null_check_are_silent() => VerifyAsync("""
        class C
        {
            private readonly ArenaHeap _heap = new();
            private readonly List<Pooled<Particle>> _live = new();

            Pooled<Particle> Make() => _heap.Alloc<Particle>();

            void Keep(ArenaHeap heap) => _live.Add(heap.Alloc<Particle>());

            void Guarded(bool c)
            {
                var h = c ? _heap.Alloc<Particle>() : default;
                if (!h.IsNull) _heap.Free(h);
            }
        }
        """);

    [Fact]
    public Task Raw_allocations_of_a_heap_are_not_handles_and_are_not_followed() => VerifyAsync("""
        class C
        {
            unsafe void M()
            {
                using var heap = new ArenaHeap();
                void* p = heap.Allocate(64);
                heap.Free(p);
                heap.Free(p);
            }
        }
        """);
}
