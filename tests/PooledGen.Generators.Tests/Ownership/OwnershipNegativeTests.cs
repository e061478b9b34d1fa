using static PooledGen.Generators.Tests.Ownership.OwnershipTestSource;

namespace PooledGen.Generators.Tests.Ownership;

/// <summary>Correct code the ownership analysis must leave alone: a noisy analyzer gets turned off.</summary>
public class OwnershipNegativeTests
{
    [Fact]
    public Task Alloc_use_free_is_silent() => VerifyAsync("""
        class C
        {
            float M()
            {
                var h = Particle.Alloc(new Particle { X = 1 });
                h.Value.X += 1;
                var x = h.Value.X;
                Particle.Free(h);
                return x;
            }
        }
        """);

    [Fact]
    public Task Free_in_finally_is_silent_on_every_path() => VerifyAsync("""
        class C
        {
            void M(bool c)
            {
                var h = Particle.Alloc();
                try
                {
                    if (c) return;
                    if (!c) throw new InvalidOperationException();
                    h.Value.X = 1;
                }
                finally
                {
                    Particle.Free(h);
                }
            }
        }
        """);

    [Fact]
    public Task Using_declaration_and_using_statement_are_silent() => VerifyAsync("""
        class C
        {
            void M(bool c)
            {
                using var h = Particle.Alloc();
                if (c) return;
                h.Value.X = 1;
                using (var g = PooledHeap.Alloc<long>())
                {
                    g.Value = 2;
                }

                using (Particle.Alloc())
                {
                }
            }
        }
        """);

    [Fact]
    public Task Returned_handles_are_silent() => VerifyAsync("""
        class C
        {
            Pooled<Particle> Make(float x)
            {
                var h = Particle.Alloc();
                h.Value.X = x;
                return h;
            }

            Pooled<Particle> MakeDirect() => Particle.Alloc();

            Pooled<Particle> MakeOrNull(bool c)
            {
                var h = Particle.Alloc();
                if (c) return h;
                Particle.Free(h);
                return Pooled<Particle>.Null;
            }
        }
        """);

    [Fact]
    public Task Handles_stored_in_fields_arrays_and_collections_are_silent() => VerifyAsync("""
        class C
        {
            private Pooled<Particle> _current;
            private readonly Pooled<Particle>[] _slots = new Pooled<Particle>[4];
            private readonly List<Pooled<Particle>> _live = new();
            private readonly Dictionary<int, Pooled<Particle>> _byId = new();

            void M(int i)
            {
                _current = Particle.Alloc();
                var h = Particle.Alloc();
                _slots[i] = h;
                _live.Add(Particle.Alloc());
                var g = Particle.Alloc();
                _byId[i] = g;
                var k = Particle.Alloc();
                _live.Add(k);
                k.Value.X = 1;
            }
        }
        """);

    [Fact]
    public Task Alloc_and_free_in_each_iteration_is_silent() => VerifyAsync("""
        class C
        {
            void M(int n)
            {
                for (var i = 0; i < n; i++)
                {
                    var h = Particle.Alloc();
                    h.Value.X = i;
                    if (i % 2 == 0)
                    {
                        Particle.Free(h);
                        continue;
                    }

                    Particle.Free(h);
                }

                var j = 0;
                while (j++ < n)
                {
                    using var g = Particle.Alloc();
                    if (j == 3) break;
                }
            }
        }
        """);

    [Fact]
    public Task Free_on_both_branches_and_in_every_switch_case_is_silent() => VerifyAsync("""
        class C
        {
            void M(int kind)
            {
                var h = Particle.Alloc();
                if (kind > 0)
                {
                    h.Value.X = kind;
                    Particle.Free(h);
                }
                else
                {
                    h.Dispose();
                }

                var g = Particle.Alloc();
                switch (kind)
                {
                    case 0: Particle.Free(g); break;
                    case 1: PooledHeap.Free(g); break;
                    default: g.Dispose(); break;
                }
            }
        }
        """);

    [Fact]
    public Task Free_guarded_by_IsNull_is_silent() => VerifyAsync("""
        class C
        {
            void M(bool c)
            {
                var h = c ? Particle.Alloc() : default;
                if (!h.IsNull) Particle.Free(h);

                Pooled<Particle> g = default;
                try
                {
                    g = Particle.Alloc();
                    g.Value.X = 2;
                }
                finally
                {
                    if (!g.IsNull) Particle.Free(g);
                }

                var k = Particle.Alloc();
                if (k.IsNull) return;
                Particle.Free(k);
            }
        }
        """);

    [Fact]
    public Task Lending_to_methods_that_only_read_is_silent() => VerifyAsync("""
        class C
        {
            float M()
            {
                var h = Particle.Alloc();
                var x = Helpers.Inspect(h) + Read(h) + h.Value.X;
                Console.WriteLine(h.Value.X);
                Particle.Free(h);
                return x;
            }

            static float Read(in Pooled<Particle> p) => p.Value.X;
        }
        """);

    [Fact]
    public Task TakesOwnership_parameter_and_constructor_take_the_handle() => VerifyAsync("""
        class C
        {
            Owner M()
            {
                var h = Particle.Alloc();
                Helpers.Adopt(h);
                Helpers.Adopt(Particle.Alloc());
                return new Owner(Particle.Alloc());
            }
        }
        """);

    [Fact]
    public Task Parameters_and_handles_read_from_fields_are_not_ours_to_free() => VerifyAsync("""
        class C
        {
            private Pooled<Particle> _h;
            private readonly List<Pooled<Particle>> _live = new();

            float M(Pooled<Particle> p)
            {
                var h = _h;
                return p.Value.X + h.Value.X + _live[0].Value.X;
            }

            void Release()
            {
                foreach (var h in _live) Particle.Free(h);
                _live.Clear();
                Particle.Free(_h);
                _h = default;
            }
        }
        """);

    [Fact]
    public Task Catch_that_frees_and_rethrows_is_silent() => VerifyAsync("""
        class C
        {
            Pooled<Particle> M(float x)
            {
                var h = Particle.Alloc();
                try
                {
                    if (x < 0) throw new ArgumentOutOfRangeException(nameof(x));
                    h.Value.X = x;
                }
                catch
                {
                    Particle.Free(h);
                    throw;
                }

                return h;
            }
        }
        """);

    [Fact]
    public Task Early_return_through_a_finally_that_does_not_free_is_judged_per_path() => VerifyAsync("""
        class C
        {
            private int _log;

            void M(bool c)
            {
                var h = Particle.Alloc();
                try
                {
                    if (c)
                    {
                        Particle.Free(h);
                        return;
                    }
                }
                finally
                {
                    _log++;
                }

                Particle.Free(h);
            }
        }
        """);

    [Fact]
    public Task Keeping_the_previous_handle_across_iterations_is_silent() => VerifyAsync("""
        class C
        {
            void M(int n)
            {
                Pooled<Particle> previous = default;
                for (var i = 0; i < n; i++)
                {
                    var h = Particle.Alloc();
                    if (!previous.IsNull) Particle.Free(previous);
                    h.Value.X = i;
                    previous = h;
                }

                if (!previous.IsNull) Particle.Free(previous);
            }
        }
        """);

    [Fact]
    public Task Reallocating_into_a_freed_variable_is_silent() => VerifyAsync("""
        class C
        {
            void M()
            {
                var h = Particle.Alloc();
                Particle.Free(h);
                h = Particle.Alloc();
                h.Value.X = 1;
                Particle.Free(h);
            }
        }
        """);

    [Fact]
    public Task Escape_then_free_is_not_a_double_free() => VerifyAsync("""
        class C
        {
            private readonly List<Pooled<Particle>> _live = new();

            void M()
            {
                var h = Particle.Alloc();
                _live.Add(h);
                _live.Remove(h);
                Particle.Free(h);
            }
        }
        """);

    [Fact]
    public Task Generic_alloc_and_free_through_IPooled_is_silent() => VerifyAsync("""
        class C
        {
            static void M<T>(T value) where T : unmanaged, IPooled<T>
            {
                var h = T.Alloc(value);
                try
                {
                    h.Value = value;
                }
                finally
                {
                    T.Free(h);
                }
            }
        }
        """);

    [Fact]
    public Task Out_parameters_tuples_and_boxing_hand_the_handle_on() => VerifyAsync("""
        class C
        {
            void Make(out Pooled<Particle> h) => h = Particle.Alloc();

            (Pooled<Particle>, int) Pair() => (Particle.Alloc(), 1);

            IDisposable Boxed() => Particle.Alloc();

            void Use()
            {
                Make(out var h);
                h.Value.X = 1;
                Particle.Free(h);
            }
        }
        """);

    [Fact]
    public Task Handles_picked_from_several_allocations_are_not_guessed_at() => VerifyAsync("""
        class C
        {
            void M(bool c)
            {
                Pooled<Particle> h;
                if (c) h = Particle.Alloc();
                else h = Particle.Alloc(new Particle { X = 2 });
                Particle.Free(h);
            }
        }
        """);

    [Fact]
    public Task Code_without_handles_is_silent() => VerifyAsync("""
        class C
        {
            int M(int[] values)
            {
                var sum = 0;
                foreach (var v in values) sum += v;
                return sum;
            }
        }
        """);

    [Fact]
    public Task Every_spelling_of_a_null_check_guards_the_free() => VerifyAsync("""
        class C
        {
            void M()
            {
                var a = Particle.Alloc();
                if (a != default) Particle.Free(a);
                var b = Particle.Alloc();
                if (b.IsNull == false) Particle.Free(b);
                var c = Particle.Alloc();
                if (c is { IsNull: false }) Particle.Free(c);
                var d = Particle.Alloc();
                if (d == Pooled<Particle>.Null) return;
                Particle.Free(d);
            }
        }
        """);

    [Fact]
    public Task Helpers_of_this_compilation_that_free_or_keep_the_handle_take_it() => VerifyAsync("""
        class C
        {
            private readonly List<Pooled<Particle>> _live = new();

            void M()
            {
                var h = Particle.Alloc();
                Release(h);
                var g = Particle.Alloc();
                Keep(g);
                var k = Particle.Alloc();
                ReleaseLocal(k);

                static void ReleaseLocal(Pooled<Particle> p) => p.Dispose();
            }

            static void Release(Pooled<Particle> p) => Particle.Free(p);

            void Keep(Pooled<Particle> p) => _live.Add(p);
        }
        """);

    [Fact]
    public Task Using_an_existing_handle_frees_it() => VerifyAsync("""
        class C
        {
            float M()
            {
                var h = Particle.Alloc();
                using (h)
                {
                    return h.Value.X;
                }
            }
        }
        """);

    [Fact]
    public Task Free_and_clear_on_one_path_then_guarded_free_is_silent() => VerifyAsync("""
        class C
        {
            void M(bool c)
            {
                var h = Particle.Alloc();
                if (c)
                {
                    Particle.Free(h);
                    h = default;
                }

                if (!h.IsNull) Particle.Free(h);

                var g = Particle.Alloc();
                while (!g.IsNull)
                {
                    Particle.Free(g);
                    g = default;
                }
            }
        }
        """);

    [Fact]
    public Task Nested_try_finally_and_catch_free_rethrow_are_silent() => VerifyAsync("""
        class C
        {
            void M(bool c)
            {
                var a = Particle.Alloc();
                try
                {
                    var b = Particle.Alloc();
                    try
                    {
                        if (c) return;
                        Helpers.Inspect(b);
                    }
                    finally
                    {
                        Particle.Free(b);
                    }
                }
                finally
                {
                    Particle.Free(a);
                }

                var h = Particle.Alloc();
                try
                {
                    Helpers.Inspect(h);
                }
                catch
                {
                    Particle.Free(h);
                    throw;
                }

                Particle.Free(h);
            }

            Pooled<Particle> N()
            {
                Pooled<Particle> h = default;
                try
                {
                    h = Particle.Alloc();
                    Helpers.Inspect(h);
                    return h;
                }
                catch (Exception e) when (e.Message.Length > 0)
                {
                    if (!h.IsNull) Particle.Free(h);
                    throw;
                }
            }
        }
        """);

    [Fact]
    public Task Handles_chosen_by_expressions_and_returned_are_silent() => VerifyAsync("""
        class C
        {
            Pooled<Particle> A(int k) => k switch { 0 => Particle.Alloc(), 1 => Particle.Alloc(new Particle { X = 1 }), _ => default };

            Pooled<Particle> B(bool c) => c ? Particle.Alloc() : Pooled<Particle>.Null;

            Pooled<T> G<T>() where T : unmanaged
            {
                var h = PooledHeap.Alloc<T>();
                return h;
            }

            Pooled<Particle> D()
            {
                Pooled<Particle> Make() => Particle.Alloc();
                var h = Make();
                return h;
            }
        }
        """);

    [Fact]
    public Task Walking_and_freeing_a_chain_is_silent() => VerifyAsync("""
        public struct Node { public int V; public Pooled<Node> Next; }

        class C
        {
            void FreeAll(Pooled<Node> head)
            {
                var current = head;
                while (!current.IsNull)
                {
                    var next = current.Value.Next;
                    PooledHeap.Free(current);
                    current = next;
                }
            }
        }
        """);

    [Fact]
    public Task Async_method_that_frees_before_awaiting_is_silent() => VerifyAsync("""
        class C
        {
            async Task<float> M()
            {
                float x;
                using (var h = Particle.Alloc())
                {
                    h.Value.X = 2;
                    x = h.Value.X;
                }

                await Task.Yield();
                return x;
            }
        }
        """);

    [Fact]
    public Task Deconstruction_and_chained_assignment_rebind_the_variables() => VerifyAsync("""
        class C
        {
            void M()
            {
                var a = Particle.Alloc();
                Particle.Free(a);
                Pooled<Particle> b;
                (a, b) = (Particle.Alloc(), Particle.Alloc());
                a.Value.X = 1;
                Particle.Free(a);
                Particle.Free(b);

                Pooled<Particle> c, d;
                c = d = Particle.Alloc();
                c.Value.X = 2;
                Particle.Free(c);
            }
        }
        """);

    [Fact]
    public Task Resetting_a_freed_handle_through_ref_is_not_a_use() => VerifyAsync("""
        class C
        {
            static void Clear(ref Pooled<Particle> slot) => slot = default;

            void M()
            {
                var h = Particle.Alloc();
                Particle.Free(h);
                Clear(ref h);
                if (!h.IsNull) h.Value.X = 1;
            }
        }
        """);

    [Fact]
    public Task Correlated_conditions_are_a_documented_false_positive_that_a_null_check_removes() => VerifyAsync("""
        class C
        {
            void Reported(bool verbose)
            {
                Pooled<Particle> p = default;
                if (verbose) p = {|PG0012:Particle.Alloc()|};
                if (verbose) Particle.Free(p);
            }

            void Silent(bool verbose)
            {
                Pooled<Particle> p = default;
                if (verbose) p = Particle.Alloc();
                if (!p.IsNull) Particle.Free(p);
            }
        }
        """);
}
