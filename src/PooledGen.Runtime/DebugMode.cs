using System;

namespace PooledGen;

/// <summary>
/// The allocator's debug mode, switched on by the environment variable <c>POOLEDGEN_DEBUG=1</c> or the AppContext
/// switch <c>PooledGen.Debug</c>, read once. The flag is <c>static readonly</c>: once this class is initialised the
/// JIT compiles the fast paths with the test removed, so release mode pays nothing for it.
/// </summary>
/// <remarks>
/// With it on, every allocation and free takes the slow paths, and a typed free checks its pointer as
/// <see cref="PooledHeap.Free(void*)"/> does. The slow paths are where the checks of issue #8 go (guard bytes,
/// dead-byte fill, double-free and stale-handle detection through <see cref="Pooled{T}"/>'s stamp).
/// </remarks>
internal static class DebugMode
{
    /// <summary>True when debug mode is on.</summary>
    public static readonly bool Enabled =
        (AppContext.TryGetSwitch("PooledGen.Debug", out bool on) && on) ||
        Environment.GetEnvironmentVariable("POOLEDGEN_DEBUG") is "1" or "true" or "TRUE" or "True";
}
