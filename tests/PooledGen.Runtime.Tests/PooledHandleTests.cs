using PooledGen;

namespace PooledGen.Runtime.Tests;

public class PooledHandleTests
{
    [Fact]
    public void Null_handle_is_null_and_free_of_it_does_nothing()
    {
        var h = Pooled<int>.Null;
        Assert.True(h.IsNull);
        PooledHeap.Free(h);
        Assert.Throws<NullReferenceException>(() => h.Value);
    }

    [Fact]
    public void Alloc_returns_zeroed_value_and_value_roundtrips()
    {
        var h = PooledHeap.Alloc<long>();
        Assert.False(h.IsNull);
        Assert.Equal(0, h.Value);
        h.Value = 123;
        Assert.Equal(123, h.Value);
        PooledHeap.Free(h);
    }
}
