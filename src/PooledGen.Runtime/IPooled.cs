namespace PooledGen;

/// <summary>
/// Implemented by the source generator on every <see cref="PooledAttribute">[Pooled]</see> struct, so that generic code
/// can allocate any pooled type: <c>static Pooled&lt;T&gt; Make&lt;T&gt;() where T : unmanaged, IPooled&lt;T&gt; =&gt; T.Alloc();</c>
/// </summary>
/// <typeparam name="TSelf">The pooled struct itself.</typeparam>
public interface IPooled<TSelf> where TSelf : unmanaged, IPooled<TSelf>
{
    /// <summary>Allocates a zeroed <typeparamref name="TSelf"/> from the shared heap.</summary>
    static abstract Pooled<TSelf> Alloc();

    /// <summary>Allocates a <typeparamref name="TSelf"/> from the shared heap and copies <paramref name="value"/> into it.</summary>
    static abstract Pooled<TSelf> Alloc(in TSelf value);

    /// <summary>Returns the block behind <paramref name="item"/> to its heap.</summary>
    static abstract void Free(Pooled<TSelf> item);
}
