using PooledGen.CodeFixes.Ownership;
using PooledGen.Generators.Ownership;
using PooledGen.Generators.Tests.Infrastructure;
using static PooledGen.Generators.Tests.Ownership.OwnershipTestSource;

namespace PooledGen.Generators.Tests.Ownership;

/// <summary>The PG0012 fix: free in a finally, where that cannot change what the code does with the handle.</summary>
public class FreeInFinallyCodeFixTests
{
    private static Task VerifyFixAsync(string code, string fixedCode) =>
        new CodeFixTest<FreeInFinallyCodeFix> { TestCode = Prelude + code, FixedCode = Prelude + fixedCode }.RunAsync();

    /// <summary>The diagnostic is reported but no fix is offered: the fixed code is the code.</summary>
    private static Task VerifyNoFixAsync(string code) => VerifyFixAsync(code, code);

    [Fact]
    public Task Statements_after_the_allocation_move_into_try_with_free_in_finally() => VerifyFixAsync(
        """
        class C
        {
            float M()
            {
                var h = {|PG0012:Particle.Alloc()|};
                h.Value.X = 1;
                return Helpers.Inspect(h);
            }
        }
        """,
        """
        class C
        {
            float M()
            {
                var h = Particle.Alloc();
                try
                {
                    h.Value.X = 1;
                    return Helpers.Inspect(h);
                }
                finally
                {
                    Particle.Free(h);
                }
            }
        }
        """);

    [Fact]
    public Task A_free_at_the_end_of_the_block_moves_into_the_finally() => VerifyFixAsync(
        """
        class C
        {
            void M(int x)
            {
                var h = {|PG0012:Particle.Alloc()|};
                if (x < 0) throw new ArgumentOutOfRangeException(nameof(x));
                h.Value.X = x;
                Particle.Free(h);
            }
        }
        """,
        """
        class C
        {
            void M(int x)
            {
                var h = Particle.Alloc();
                try
                {
                    if (x < 0) throw new ArgumentOutOfRangeException(nameof(x));
                    h.Value.X = x;
                }
                finally
                {
                    Particle.Free(h);
                }
            }
        }
        """);

    [Fact]
    public Task PooledHeap_allocations_are_freed_with_PooledHeap_Free() => VerifyFixAsync(
        """
        class C
        {
            void M(bool done)
            {
                var counter = {|PG0012:PooledHeap.Alloc<int>()|};
                if (done) return;
                counter.Value++;
                counter.Dispose();
            }
        }
        """,
        """
        class C
        {
            void M(bool done)
            {
                var counter = PooledHeap.Alloc<int>();
                try
                {
                    if (done) return;
                    counter.Value++;
                }
                finally
                {
                    PooledHeap.Free(counter);
                }
            }
        }
        """);

    [Fact]
    public Task Blocks_from_a_factory_are_freed_with_Dispose() => VerifyFixAsync(
        """
        class C
        {
            static Pooled<Particle> Spawn() => Particle.Alloc();

            float M()
            {
                var p = {|PG0012:Spawn()|};
                return Helpers.Inspect(p);
            }
        }
        """,
        """
        class C
        {
            static Pooled<Particle> Spawn() => Particle.Alloc();

            float M()
            {
                var p = Spawn();
                try
                {
                    return Helpers.Inspect(p);
                }
                finally
                {
                    p.Dispose();
                }
            }
        }
        """);

    [Fact]
    public Task Blocks_from_a_private_heap_are_freed_by_that_heap() => VerifyFixAsync(
        """
        class C
        {
            private readonly ArenaHeap _heap = new();

            float M()
            {
                var p = {|PG0012:_heap.Alloc<Particle>()|};
                return Helpers.Inspect(p);
            }
        }
        """,
        """
        class C
        {
            private readonly ArenaHeap _heap = new();

            float M()
            {
                var p = _heap.Alloc<Particle>();
                try
                {
                    return Helpers.Inspect(p);
                }
                finally
                {
                    _heap.Free(p);
                }
            }
        }
        """);

    [Fact]
    public Task Allocation_with_nothing_after_it_gets_a_plain_free() => VerifyFixAsync(
        """
        class C
        {
            void M()
            {
                var h = {|PG0012:Particle.Alloc(new Particle { X = 1 })|};
            }
        }
        """,
        """
        class C
        {
            void M()
            {
                var h = Particle.Alloc(new Particle { X = 1 });
                Particle.Free(h);
            }
        }
        """);

    [Fact]
    public Task No_fix_when_the_handle_is_handed_on_on_some_path() => VerifyNoFixAsync(
        """
        class C
        {
            Pooled<Particle> M(bool c)
            {
                var h = {|PG0012:Particle.Alloc()|};
                if (c) return h;
                h.Value.X = 1;
                return default;
            }
        }
        """);

    [Fact]
    public Task No_fix_when_the_handle_is_freed_on_one_branch_only() => VerifyNoFixAsync(
        """
        class C
        {
            void M(bool c)
            {
                var h = {|PG0012:Particle.Alloc()|};
                if (c) Particle.Free(h);
            }
        }
        """);

    [Fact]
    public Task No_fix_for_an_allocation_that_is_not_a_local_declaration() => VerifyNoFixAsync(
        """
        class C
        {
            void M()
            {
                {|PG0012:Particle.Alloc()|};
            }
        }
        """);
}
