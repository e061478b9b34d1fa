// Fields of test structs give them their layout; they are read and written through pointers, not by name.
#pragma warning disable CS0649

namespace PooledGen.Runtime.Tests;

public unsafe class TypeRegistrationTests
{
    private struct Registered
    {
        public long A, B, C;
    }

    private struct Mismatched
    {
        public int A;
    }

    [Fact]
    public void RegisterType_records_the_type_for_statistics()
    {
        Assert.True(PooledHeap.RegisterType<Registered>("Tests.Registered", sizeof(Registered)));
        Assert.True(PooledHeap.RegisterType<Registered>("Tests.Registered", -1));

        PooledTypeInfo info = Assert.Single(PooledHeap.GetStatistics().RegisteredTypes, t => t.Name == "Tests.Registered");
        Assert.Equal(new PooledTypeInfo("Tests.Registered", 24, 8, 32), info);
    }

    [Fact]
    public void RegisterType_with_a_size_other_than_the_runtime_one_throws_naming_the_type_and_both_sizes()
    {
        var e = Assert.Throws<InvalidOperationException>(() => PooledHeap.RegisterType<Mismatched>("Tests.Mismatched", 8));
        Assert.Contains("Tests.Mismatched", e.Message);
        Assert.Contains("8 bytes", e.Message);
        Assert.Contains("4 bytes", e.Message);
        Assert.DoesNotContain(PooledHeap.GetStatistics().RegisteredTypes, t => t.Name == "Tests.Mismatched");
    }
}
