using Microsoft.CodeAnalysis.Testing;
using static PooledGen.Generators.Tests.Ownership.OwnershipTestSource;

namespace PooledGen.Generators.Tests.Ownership;

/// <summary>
/// A method of this compilation whose every return hands back a block it allocated (or the null handle), or a method
/// marked [ReturnsOwnership], allocates at its call sites.
/// </summary>
public class OwnershipFactoryTests
{
    private const string Factories = """
        static class Spawner
        {
            public static Pooled<Particle> Spawn(float x)
            {
                var p = Particle.Alloc();
                p.Value.X = x;
                return p;
            }

            public static Pooled<Particle> Direct() => Particle.Alloc(new Particle { X = 1 });

            public static Pooled<T> Make<T>() where T : unmanaged => PooledHeap.Alloc<T>();

            public static Pooled<Particle> SpawnTwice() => Spawn(2);

            public static Pooled<Particle> From(ArenaHeap heap) => heap.Alloc<Particle>();

            public static Pooled<Particle> MaybeSpawn(bool c)
            {
                var p = Particle.Alloc();
                if (c) return p;
                Particle.Free(p);
                return Pooled<Particle>.Null;
            }
        }

        """;

    [Fact]
    public Task Block_from_a_factory_never_freed_leaks() => VerifyAsync(Factories + """
        class C
        {
            void M(bool done)
            {
                var p = {|PG0012:Spawner.Spawn(1)|};
                p.Value.X = 2;
                var q = {|PG0012:Spawner.Direct()|};
                if (done) return;
                Particle.Free(q);
            }
        }
        """);

    [Fact]
    public Task Dropped_factory_result_leaks() => VerifyAsync(Factories + """
        class C
        {
            void M()
            {
                {|PG0012:Spawner.Spawn(1)|};
                {|PG0012:Spawner.Make<long>()|}.Value = 3;
            }
        }
        """);

    [Fact]
    public Task Factories_of_factories_on_heaps_and_maybe_null_are_followed() => VerifyAsync(Factories + """
        class C
        {
            private readonly ArenaHeap _heap = new();

            void M(bool c)
            {
                var a = {|PG0012:Spawner.SpawnTwice()|};
                var b = {|PG0012:Spawner.From(_heap)|};
                var d = {|PG0012:Spawner.MaybeSpawn(c)|};
                a.Value.X = b.Value.X + d.Value.X;
            }
        }
        """);

    [Fact]
    public Task Local_function_factory_is_followed() => VerifyAsync("""
        class C
        {
            float M()
            {
                var p = {|PG0012:Make(1)|};
                return p.Value.X;

                static Pooled<Particle> Make(float x)
                {
                    var h = Particle.Alloc();
                    h.Value.X = x;
                    return h;
                }
            }
        }
        """);

    [Fact]
    public Task Factory_result_freed_twice_or_used_after_free_is_reported() => VerifyAsync(Factories + """
        class C
        {
            void M()
            {
                var p = Spawner.Spawn(1);
                Particle.Free(p);
                {|PG0011:p.Dispose()|};
                var q = Spawner.Direct();
                q.Dispose();
                {|PG0010:q|}.Value.X = 1;
            }
        }
        """);

    [Fact]
    public Task ReturnsOwnership_marks_interface_abstract_and_virtual_factories() => VerifyAsync("""
        interface IEmitter
        {
            [ReturnsOwnership]
            Pooled<Particle> Emit();
        }

        abstract class Source
        {
            [ReturnsOwnership]
            public abstract Pooled<Particle> Next();
        }

        sealed class Fountain : Source, IEmitter
        {
            public Pooled<Particle> Emit() => Particle.Alloc();

            public override Pooled<Particle> Next() => Particle.Alloc();
        }

        class C
        {
            void M(IEmitter emitter, Source source, Fountain fountain)
            {
                var a = {|PG0012:emitter.Emit()|};
                var b = {|PG0012:source.Next()|};
                var c = {|PG0012:fountain.Next()|};
                var d = {|PG0012:fountain.Emit()|};
                a.Value.X = b.Value.X + c.Value.X + d.Value.X;
            }
        }
        """);

    [Fact]
    public Task Message_names_the_variable_and_the_method() =>
        VerifyAsync(
            Factories + """
            class C
            {
                void Tick()
                {
                    var spark = Spawner.Spawn(1);
                }
            }
            """,
            DiagnosticResult.CompilerWarning("PG0012")
                .WithSpan(54, 21, 54, 37)
                .WithArguments("spark", "Tick"));

    [Fact]
    public Task Factory_results_freed_returned_or_handed_on_are_silent() => VerifyAsync(Factories + """
        class C
        {
            private readonly List<Pooled<Particle>> _live = new();

            Pooled<Particle> Relay() => Spawner.Spawn(3);

            void M(bool c)
            {
                var p = Spawner.Spawn(1);
                try
                {
                    if (c) return;
                    p.Value.X = 2;
                }
                finally
                {
                    Particle.Free(p);
                }

                using var q = Spawner.Direct();
                _live.Add(Spawner.Make<Particle>());
                Helpers.Adopt(Spawner.SpawnTwice());
                var r = Spawner.MaybeSpawn(c);
                if (!r.IsNull) r.Dispose();
            }
        }
        """);

    [Fact]
    public Task Methods_returning_handles_they_do_not_own_are_not_factories() => VerifyAsync("""
        class C
        {
            private readonly List<Pooled<Particle>> _live = new();
            private Pooled<Particle> _current;

            Pooled<Particle> Current() => _current;

            Pooled<Particle> Same(Pooled<Particle> p) => p;

            Pooled<Particle> Tracked()
            {
                var h = Particle.Alloc();
                _live.Add(h);
                return h;
            }

            Pooled<Particle> FreshOrCurrent(bool c)
            {
                if (c) return _current;
                return Particle.Alloc();
            }

            void M(Pooled<Particle> p)
            {
                var a = Current();
                var b = Same(p);
                var c = Tracked();
                var d = FreshOrCurrent(true);
                a.Value.X = b.Value.X + c.Value.X + d.Value.X;
            }
        }
        """);

    [Fact]
    public Task Virtual_methods_and_methods_returning_one_of_several_blocks_are_not_inferred() => VerifyAsync("""
        class Base
        {
            public virtual Pooled<Particle> Make() => Particle.Alloc();

            public Pooled<Particle> Either(bool c) => c ? Particle.Alloc() : Particle.Alloc(new Particle { X = 1 });
        }

        class C
        {
            void M(Base b)
            {
                var x = b.Make();
                var y = b.Either(true);
                x.Value.X = y.Value.X;
            }
        }
        """);

    [Fact]
    public Task Recursive_factories_are_not_guessed_at_and_do_not_hang() => VerifyAsync("""
        class C
        {
            static Pooled<Particle> Countdown(int n)
            {
                if (n <= 0) return Particle.Alloc();
                return Countdown(n - 1);
            }

            static Pooled<Particle> Ping(int n) => n > 0 ? Pong(n - 1) : Particle.Alloc();

            static Pooled<Particle> Pong(int n)
            {
                var p = Ping(n);
                return p;
            }

            void M()
            {
                var a = Countdown(3);
                var b = Pong(2);
                a.Value.X = b.Value.X;
            }
        }
        """);

    [Fact]
    public async Task A_cluster_of_methods_returning_each_others_handles_is_bounded_and_silent()
    {
        // Twelve methods that may each return any other's handle: inference must not try every path through them.
        var methods = new System.Text.StringBuilder();
        for (var i = 0; i < 12; i++)
        {
            methods.AppendLine($"static Pooled<Particle> F{i}(int n) => n switch {{ 0 => Particle.Alloc(), 1 => F{(i + 1) % 12}(n - 1), 2 => F{(i + 5) % 12}(n - 2), _ => F{(i + 7) % 12}(n - 3) }};");
        }

        var watch = System.Diagnostics.Stopwatch.StartNew();
        await VerifyAsync("class C\n{\n" + methods + "void M() { var a = F0(3); var b = F6(2); a.Value.X = b.Value.X; }\n}\n");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"took {watch.Elapsed}");
    }

    [Fact]
    public Task The_factory_itself_and_its_callers_that_free_are_silent() => VerifyAsync("""
        class C
        {
            static Pooled<Particle> Spawn(float x)
            {
                var p = Particle.Alloc();
                try
                {
                    p.Value.X = x;
                }
                catch
                {
                    Particle.Free(p);
                    throw;
                }

                return p;
            }

            float M()
            {
                var p = Spawn(1);
                var x = p.Value.X;
                Particle.Free(p);
                return x;
            }
        }
        """);
}
