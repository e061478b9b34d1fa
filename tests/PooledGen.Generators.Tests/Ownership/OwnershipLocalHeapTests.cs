using static PooledGen.Generators.Tests.Ownership.OwnershipTestSource;

namespace PooledGen.Generators.Tests.Ownership;

/// <summary>Blocks allocated through a <c>LocalHeap</c>, directly or by the generated <c>T.Alloc(LocalHeap)</c>, are followed as any others.</summary>
public class OwnershipLocalHeapTests
{
    // The members the generator adds for LocalHeap, written by hand as the prelude's Particle is.
    private const string Spark = """
        public struct Spark : IPooled<Spark>
        {
            public float X;
            public static Pooled<Spark> Alloc() => PooledHeap.Alloc<Spark>();
            public static Pooled<Spark> Alloc(in Spark value) => PooledHeap.Alloc(value);
            public static void Free(Pooled<Spark> item) => PooledHeap.Free(item);
            public static Pooled<Spark> Alloc(LocalHeap heap) => heap.Alloc<Spark>();
            public static Pooled<Spark> Alloc(LocalHeap heap, in Spark value) => heap.Alloc(value);
            public static void Free(LocalHeap heap, Pooled<Spark> item) => heap.Free(item);
        }

        """;

    [Fact]
    public Task Blocks_through_a_LocalHeap_are_leaked_freed_twice_and_used_after_free_as_others() => VerifyAsync(Spark + """
        class C
        {
            void M(bool done)
            {
                var heap = PooledHeap.Local;
                var a = {|PG0012:heap.Alloc<Spark>()|};
                var b = {|PG0012:Spark.Alloc(heap, new Spark { X = 1 })|};
                if (done) return;
                Spark.Free(heap, a);
                heap.Free(b);

                var c = Spark.Alloc(heap);
                heap.Free(c);
                {|PG0011:Spark.Free(heap, c)|};
                {|PG0010:c|}.Value.X = 2;
            }
        }
        """);

    [Fact]
    public Task Blocks_through_a_LocalHeap_freed_once_on_every_path_are_silent() => VerifyAsync(Spark + """
        class C
        {
            float M(int n)
            {
                var heap = PooledHeap.Local;
                var sum = 0f;
                for (var i = 0; i < n; i++)
                {
                    var s = Spark.Alloc(heap);
                    try
                    {
                        if (i == 3) continue;
                        s.Value.X = i;
                        sum += s.Value.X;
                    }
                    finally
                    {
                        Spark.Free(heap, s);
                    }
                }

                var t = heap.Alloc(new Spark { X = 2 });
                sum += t.Value.X;
                Spark.Free(t);
                return sum;
            }
        }
        """);
}
