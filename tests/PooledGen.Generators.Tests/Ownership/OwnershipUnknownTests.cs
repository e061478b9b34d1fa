using static PooledGen.Generators.Tests.Ownership.OwnershipTestSource;

namespace PooledGen.Generators.Tests.Ownership;

/// <summary>PG0013: where a handle's owner cannot be followed, the analysis says so once and reports nothing else about it.</summary>
public class OwnershipUnknownTests
{
    [Fact]
    public Task Handle_freed_inside_a_lambda_is_reported_as_unknown_instead_of_leaking() => VerifyAsync("""
        class C
        {
            Action M()
            {
                var {|PG0013:h|} = Particle.Alloc();
                return () => Particle.Free(h);
            }
        }
        """);

    [Fact]
    public Task Handle_captured_by_a_local_function_is_reported_as_unknown() => VerifyAsync("""
        class C
        {
            void M(bool c)
            {
                var {|PG0013:h|} = Particle.Alloc();
                if (c) Release();
                h.Value.X = 1;

                void Release() => Particle.Free(h);
            }
        }
        """);

    [Fact]
    public Task Captured_parameter_freed_in_a_lambda_is_reported_as_unknown() => VerifyAsync("""
        class C
        {
            Action M(Pooled<Particle> {|PG0013:p|})
            {
                Particle.Free(p);
                return () => Particle.Free(p);
            }
        }
        """);

    [Fact]
    public Task Captured_parameter_only_read_in_a_lambda_is_silent() => VerifyAsync("""
        class C
        {
            Func<float> M(Pooled<Particle> p) => () => p.Value.X;
        }
        """);

    [Fact]
    public Task Handle_living_across_an_await_and_freed_is_reported_as_unknown() => VerifyAsync("""
        class C
        {
            async Task M(bool c)
            {
                var {|PG0013:h|} = Particle.Alloc();
                await Task.Yield();
                if (c) Particle.Free(h);
                Particle.Free(h);
            }
        }
        """);

    [Fact]
    public Task Handle_freed_before_the_await_is_checked_as_usual() => VerifyAsync("""
        class C
        {
            async Task M()
            {
                var h = Particle.Alloc();
                h.Value.X = 1;
                Particle.Free(h);
                await Task.Yield();
                {|PG0011:Particle.Free(h)|};
            }
        }
        """);

    [Fact]
    public Task Handle_across_an_await_that_is_never_freed_still_leaks() => VerifyAsync("""
        class C
        {
            async Task M()
            {
                var h = {|PG0012:Particle.Alloc()|};
                await Task.Yield();
                h.Value.X = 1;
            }
        }
        """);
}
