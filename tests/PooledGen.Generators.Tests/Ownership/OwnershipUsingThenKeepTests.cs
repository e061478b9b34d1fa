using Microsoft.CodeAnalysis.Testing;
using static PooledGen.Generators.Tests.Ownership.OwnershipTestSource;

namespace PooledGen.Generators.Tests.Ownership;

/// <summary>PG0014: a copy of a handle kept beyond the method while a <c>using</c> will free its block.</summary>
public class OwnershipUsingThenKeepTests
{
    [Fact]
    public Task Adding_a_using_handle_to_a_collection_field_is_reported() => VerifyAsync("""
        class C
        {
            private readonly List<Pooled<Particle>> _list = new();
            private readonly Queue<Pooled<Particle>> _queue = new();
            private readonly Dictionary<int, Pooled<Particle>> _byId = new();

            void M()
            {
                using var h = Particle.Alloc();
                _list.Add({|PG0014:h|});
                _queue.Enqueue({|PG0014:h|});
                _byId.TryAdd(1, {|PG0014:h|});
            }
        }
        """);

    [Fact]
    public Task Storing_a_using_handle_in_a_field_property_or_element_is_reported() => VerifyAsync("""
        class C
        {
            private Pooled<Particle> _current;
            private static Pooled<Particle> s_last;
            private readonly Pooled<Particle>[] _slots = new Pooled<Particle>[4];
            private readonly Dictionary<int, Pooled<Particle>> _byId = new();

            public Pooled<Particle> Current { get; set; }

            void M()
            {
                using (var h = Particle.Alloc())
                {
                    _current = {|PG0014:h|};
                    s_last = {|PG0014:h|};
                    _slots[0] = {|PG0014:h|};
                    _byId[2] = {|PG0014:h|};
                    Current = {|PG0014:h|};
                }
            }
        }
        """);

    [Fact]
    public Task Returning_a_using_handle_is_reported() => VerifyAsync("""
        class C
        {
            Pooled<Particle> M(bool c)
            {
                using var h = Particle.Alloc();
                h.Value.X = 1;
                if (c) return {|PG0014:h|};
                return default;
            }
        }
        """);

    [Fact]
    public Task Handing_a_using_handle_to_an_owner_is_reported() => VerifyAsync("""
        class C
        {
            void M()
            {
                using var h = Particle.Alloc();
                Helpers.Adopt({|PG0014:h|});
            }
        }
        """);

    [Fact]
    public Task Copies_and_using_of_an_existing_handle_are_followed() => VerifyAsync("""
        class C
        {
            private readonly List<Pooled<Particle>> _list = new();

            void M()
            {
                var h = Particle.Alloc();
                using (h)
                {
                    var copy = h;
                    _list.Add({|PG0014:copy|});
                }

                using var g = Particle.Alloc();
                var alias = g;
                _list.Insert(0, {|PG0014:alias|});
            }
        }
        """);

    [Fact]
    public Task Keeping_a_block_of_a_heap_a_using_disposes_is_reported() => VerifyAsync("""
        class C
        {
            private Pooled<Particle> _current;

            Pooled<Particle> M()
            {
                using var heap = new ArenaHeap();
                var h = heap.Alloc<Particle>();
                _current = {|PG0014:h|};
                return {|PG0014:heap.Alloc<Particle>()|};
            }
        }
        """);

    [Fact]
    public Task Message_says_how_the_handle_is_kept() =>
        VerifyAsync(
            """
            class C
            {
                private readonly List<Pooled<Particle>> _list = new();

                void M()
                {
                    using var particle = Particle.Alloc();
                    _list.Add(particle);
                }
            }
            """,
            DiagnosticResult.CompilerWarning("PG0014")
                .WithSpan(32, 19, 32, 27)
                .WithArguments("particle", "stored"));

    [Fact]
    public Task Reading_lending_and_comparing_a_using_handle_is_silent() => VerifyAsync("""
        class C
        {
            private readonly List<Pooled<Particle>> _list = new();
            private readonly List<Particle> _values = new();

            float M(Pooled<Particle> other)
            {
                using var h = Particle.Alloc();
                h.Value.X = 1;
                _values.Add(h.Value);
                var same = h == other || h.Equals(other) || EqualityComparer<Pooled<Particle>>.Default.Equals(h, other);
                var known = _list.Contains(h) || _list.IndexOf(h) >= 0;
                _list.Remove(h);
                return Helpers.Inspect(h) + (same || known ? 1 : 0);
            }
        }
        """);

    [Fact]
    public Task Keeping_other_handles_inside_a_using_is_silent() => VerifyAsync("""
        class C
        {
            private readonly List<Pooled<Particle>> _list = new();
            private Pooled<Particle> _current;

            Pooled<Particle> M(Pooled<Particle> p)
            {
                using var h = Particle.Alloc();
                _list.Add(Particle.Alloc());
                var g = Particle.Alloc();
                _current = g;
                h.Value.X = p.Value.X;
                return p;
            }
        }
        """);

    [Fact]
    public Task Yielding_a_using_handle_lends_it_while_the_iterator_waits() => VerifyAsync("""
        class C
        {
            IEnumerable<Pooled<Particle>> Each(int n)
            {
                for (var i = 0; i < n; i++)
                {
                    using var h = Particle.Alloc();
                    h.Value.X = i;
                    yield return h;
                }
            }
        }
        """);

    [Fact]
    public Task Storing_a_using_handle_where_it_dies_with_the_method_is_silent() => VerifyAsync("""
        class C
        {
            float M()
            {
                using var h = Particle.Alloc();
                var local = new List<Pooled<Particle>> { };
                local.Add(h);
                var slots = new Pooled<Particle>[1];
                slots[0] = h;
                return local[0].Value.X + slots[0].Value.X;
            }
        }
        """);

    [Fact]
    public Task Using_freed_before_the_handle_is_cleared_and_reused_is_silent() => VerifyAsync("""
        class C
        {
            private readonly List<Pooled<Particle>> _list = new();

            void M()
            {
                Pooled<Particle> kept;
                using (var h = Particle.Alloc())
                {
                    kept = h;
                    kept = default;
                    _list.Add(kept);
                }

                var fresh = Particle.Alloc();
                _list.Add(fresh);
            }
        }
        """);

    [Fact]
    public Task Arena_heap_blocks_stored_only_in_locals_are_silent() => VerifyAsync("""
        class C
        {
            float M(int n)
            {
                using var heap = new ArenaHeap();
                var live = new List<Pooled<Particle>>();
                for (var i = 0; i < n; i++) live.Add(heap.Alloc<Particle>());
                var sum = 0f;
                foreach (var h in live) sum += h.Value.X;
                return sum;
            }
        }
        """);
}
