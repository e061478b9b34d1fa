namespace PooledGen.Generated.Tests;

public class SmokeTests
{
    [Fact]
    public void Runtime_is_referenced() => Assert.Equal(512, PooledGen.PooledHeap.SmallObjectThreshold);
}
