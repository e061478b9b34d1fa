using static PooledGen.Generators.Tests.Ownership.OwnershipTestSource;

namespace PooledGen.Generators.Tests.Ownership;

/// <summary>Correct code with less common control flow: loops through using and finally, goto, lock, nested handlers.</summary>
public class OwnershipControlFlowTests
{
    [Fact]
    public Task Break_and_continue_through_using_and_finally_in_loops_are_silent() => VerifyAsync("""
        class C
        {
            void M(int[] values)
            {
                foreach (var v in values)
                {
                    using var h = Particle.Alloc();
                    if (v < 0) break;
                    if (v == 0) continue;
                    h.Value.X = v;
                }

                for (var i = 0; i < values.Length; i++)
                {
                    var g = Particle.Alloc();
                    try
                    {
                        if (values[i] == 0) continue;
                        if (values[i] < 0) return;
                    }
                    finally
                    {
                        Particle.Free(g);
                    }
                }
            }
        }
        """);

    [Fact]
    public Task Throw_inside_using_or_lock_is_silent() => VerifyAsync("""
        class C
        {
            private readonly object _gate = new();

            float M(float x)
            {
                using (var h = Particle.Alloc())
                {
                    if (x < 0) throw new ArgumentOutOfRangeException(nameof(x));
                    h.Value.X = x;
                }

                lock (_gate)
                {
                    var g = Particle.Alloc();
                    if (x > 10)
                    {
                        Particle.Free(g);
                        return x;
                    }

                    Particle.Free(g);
                }

                return 0;
            }
        }
        """);

    [Fact]
    public Task Allocation_inside_try_with_catch_and_guarded_finally_is_silent() => VerifyAsync("""
        class C
        {
            private int _errors;

            void M()
            {
                Pooled<Particle> h = default;
                try
                {
                    h = Particle.Alloc();
                    Helpers.Inspect(h);
                }
                catch (InvalidOperationException)
                {
                    _errors++;
                }
                finally
                {
                    if (!h.IsNull) Particle.Free(h);
                }
            }
        }
        """);

    [Fact]
    public Task Goto_loops_and_switch_patterns_are_silent() => VerifyAsync("""
        class C
        {
            void M(int n)
            {
                var i = 0;
            again:
                var h = Particle.Alloc();
                h.Value.X = i;
                Particle.Free(h);
                if (++i < n) goto again;

                var g = n > 0 ? Particle.Alloc() : default;
                switch (g)
                {
                    case { IsNull: true }:
                        break;
                    default:
                        Particle.Free(g);
                        break;
                }
            }
        }
        """);

    [Fact]
    public Task Lambdas_and_local_functions_with_their_own_handles_are_checked_on_their_own() => VerifyAsync("""
        class C
        {
            void M(List<int> values)
            {
                values.ForEach(v =>
                {
                    var h = Particle.Alloc();
                    h.Value.X = v;
                    Func<float> inner = () =>
                    {
                        using var g = Particle.Alloc();
                        return g.Value.X;
                    };
                    Particle.Free(h);
                });

                Touch();
                Touch();

                static void Touch()
                {
                    var k = Particle.Alloc();
                    Particle.Free(k);
                    {|PG0011:Particle.Free(k)|};
                }
            }
        }
        """);
}
