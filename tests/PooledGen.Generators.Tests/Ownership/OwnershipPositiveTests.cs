using static PooledGen.Generators.Tests.Ownership.OwnershipTestSource;

namespace PooledGen.Generators.Tests.Ownership;

/// <summary>Mistakes the ownership analysis must catch, each at its exact span.</summary>
public class OwnershipPositiveTests
{
    [Fact]
    public Task Allocation_never_freed_in_straight_line_code_leaks() => VerifyAsync("""
        class C
        {
            void M()
            {
                var h = {|PG0012:Particle.Alloc()|};
                h.Value.X = 1;
            }
        }
        """);

    [Fact]
    public Task Early_return_before_the_free_leaks() => VerifyAsync("""
        class C
        {
            void M(bool done)
            {
                var h = {|PG0012:Particle.Alloc()|};
                if (done) return;
                h.Value.X = 1;
                Particle.Free(h);
            }
        }
        """);

    [Fact]
    public Task Throw_outside_try_finally_leaks_on_the_exception_path() => VerifyAsync("""
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
        """);

    [Fact]
    public Task Free_on_one_branch_only_leaks() => VerifyAsync("""
        class C
        {
            void M(bool c)
            {
                var h = {|PG0012:Particle.Alloc()|};
                if (c)
                {
                    Particle.Free(h);
                }
            }
        }
        """);

    [Fact]
    public Task Allocation_per_iteration_without_free_leaks() => VerifyAsync("""
        class C
        {
            void M(int n)
            {
                for (var i = 0; i < n; i++)
                {
                    var h = {|PG0012:Particle.Alloc()|};
                    h.Value.X = i;
                }
            }
        }
        """);

    [Fact]
    public Task Loop_that_frees_only_the_last_allocation_leaks_the_earlier_ones() => VerifyAsync("""
        class C
        {
            void M(Func<bool> done)
            {
                while (true)
                {
                    var h = {|PG0012:Particle.Alloc()|};
                    if (done())
                    {
                        Particle.Free(h);
                        break;
                    }
                }
            }
        }
        """);

    [Fact]
    public Task Discarded_allocation_leaks() => VerifyAsync("""
        class C
        {
            void M()
            {
                {|PG0012:Particle.Alloc()|};
                _ = {|PG0012:PooledHeap.Alloc<int>()|};
                {|PG0012:Particle.Alloc()|}.Value.X = 2;
            }
        }
        """);

    [Fact]
    public Task Overwriting_the_only_handle_leaks_the_first_block() => VerifyAsync("""
        class C
        {
            void M()
            {
                var h = {|PG0012:Particle.Alloc()|};
                h = Particle.Alloc();
                Particle.Free(h);
            }
        }
        """);

    [Fact]
    public Task Lending_to_a_method_that_only_reads_does_not_hand_on_ownership() => VerifyAsync("""
        class C
        {
            float M()
            {
                var h = {|PG0012:Particle.Alloc()|};
                return Helpers.Inspect(h);
            }
        }
        """);

    [Fact]
    public Task Catch_that_returns_leaks_the_handle_when_the_try_throws() => VerifyAsync("""
        class C
        {
            void M()
            {
                var h = {|PG0012:Particle.Alloc()|};
                try
                {
                    Helpers.Inspect(h);
                }
                catch (InvalidOperationException)
                {
                    return;
                }

                Particle.Free(h);
            }
        }
        """);

    [Fact]
    public Task Generic_allocation_through_IPooled_leaks() => VerifyAsync("""
        class C
        {
            static void M<T>() where T : unmanaged, IPooled<T>
            {
                var h = {|PG0012:T.Alloc()|};
                h.Value = default;
            }
        }
        """);

    [Fact]
    public Task Leak_inside_a_lambda_is_reported_in_the_lambda() => VerifyAsync("""
        class C
        {
            Action M() => () =>
            {
                var h = {|PG0012:Particle.Alloc()|};
                h.Value.X = 3;
            };
        }
        """);

    [Fact]
    public Task Value_after_free_is_a_use_after_free() => VerifyAsync("""
        class C
        {
            void M()
            {
                var h = Particle.Alloc();
                Particle.Free(h);
                {|PG0010:h|}.Value.X = 1;
            }
        }
        """);

    [Fact]
    public Task Use_through_a_copy_after_freeing_the_original_is_a_use_after_free() => VerifyAsync("""
        class C
        {
            unsafe void M()
            {
                var a = Particle.Alloc();
                var b = a;
                Particle.Free(a);
                var p = {|PG0010:b|}.Pointer;
            }
        }
        """);

    [Fact]
    public Task Use_after_free_on_both_branches_is_reported() => VerifyAsync("""
        class C
        {
            float M(bool c)
            {
                var h = Particle.Alloc();
                if (c) Particle.Free(h);
                else h.Dispose();
                return {|PG0010:h|}.Value.X;
            }
        }
        """);

    [Fact]
    public Task Passing_on_or_returning_a_freed_handle_is_a_use_after_free() => VerifyAsync("""
        class C
        {
            private List<Pooled<Particle>> _items = new();

            Pooled<Particle> M(Pooled<Particle> p, Pooled<Particle> q)
            {
                Particle.Free(p);
                Helpers.Inspect({|PG0010:p|});
                Particle.Free(q);
                _items.Add({|PG0010:q|});
                return {|PG0010:p|};
            }
        }
        """);

    [Fact]
    public Task Freeing_twice_is_a_double_free() => VerifyAsync("""
        class C
        {
            void M()
            {
                var h = Particle.Alloc();
                Particle.Free(h);
                {|PG0011:Particle.Free(h)|};
            }
        }
        """);

    [Fact]
    public Task Free_after_Dispose_is_a_double_free() => VerifyAsync("""
        class C
        {
            void M()
            {
                var h = Particle.Alloc();
                h.Dispose();
                {|PG0011:PooledHeap.Free(h)|};
            }
        }
        """);

    [Fact]
    public Task Freeing_two_copies_of_one_handle_is_a_double_free() => VerifyAsync("""
        class C
        {
            void M()
            {
                var a = Particle.Alloc();
                var b = a;
                Particle.Free(a);
                {|PG0011:Particle.Free(b)|};
            }
        }
        """);

    [Fact]
    public Task Free_after_a_conditional_free_is_a_double_free_on_that_path() => VerifyAsync("""
        class C
        {
            void M(bool c)
            {
                var h = Particle.Alloc();
                if (c) Particle.Free(h);
                {|PG0011:Particle.Free(h)|};
            }
        }
        """);

    [Fact]
    public Task Freeing_in_every_iteration_a_handle_allocated_once_is_a_double_free_and_may_leak() => VerifyAsync("""
        class C
        {
            void M(int n)
            {
                var h = {|PG0012:Particle.Alloc()|};
                for (var i = 0; i < n; i++)
                {
                    {|PG0011:Particle.Free(h)|};
                }
            }
        }
        """);

    [Fact]
    public Task Parameters_freed_twice_are_reported_without_a_leak_check() => VerifyAsync("""
        class C
        {
            void M(Pooled<Particle> p)
            {
                Particle.Free(p);
                {|PG0011:Particle.Free(p)|};
            }
        }
        """);

    [Fact]
    public Task Explicit_free_of_a_using_handle_makes_the_implicit_dispose_a_double_free() => VerifyAsync("""
        class C
        {
            void M()
            {
                using var {|PG0011:h = Particle.Alloc()|};
                Particle.Free(h);
            }
        }
        """);

    [Fact]
    public Task Message_names_the_handle_and_the_method() =>
        VerifyAsync(
            """
            class C
            {
                void Spawn()
                {
                    var particle = Particle.Alloc();
                }
            }
            """,
            Microsoft.CodeAnalysis.Testing.DiagnosticResult.CompilerWarning("PG0012")
                .WithSpan(29, 24, 29, 40)
                .WithArguments("particle", "Spawn"));

    [Fact]
    public Task Use_after_the_finally_that_freed_the_handle_is_a_use_after_free() => VerifyAsync("""
        class C
        {
            void M()
            {
                var h = Particle.Alloc();
                try
                {
                    h.Value.X = 1;
                }
                finally
                {
                    Particle.Free(h);
                }

                Console.WriteLine({|PG0010:h|}.Value.X);
            }
        }
        """);

    [Fact]
    public Task Switch_case_without_a_free_leaks() => VerifyAsync("""
        class C
        {
            void M(int kind)
            {
                var h = {|PG0012:Particle.Alloc()|};
                switch (kind)
                {
                    case 0:
                        Particle.Free(h);
                        break;
                    case 1:
                        h.Value.X = 1;
                        break;
                    default:
                        h.Dispose();
                        break;
                }
            }
        }
        """);
}
