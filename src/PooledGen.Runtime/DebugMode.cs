using System;

namespace PooledGen;

/// <summary>
/// The allocator's debug mode, switched on by the environment variable <c>POOLEDGEN_DEBUG=1</c> or the AppContext
/// switch <c>PooledGen.Debug</c>, read once. The flag is <c>static readonly</c>: once this class is initialised the
/// JIT compiles the fast paths with the test removed, so release mode pays nothing for it.
/// </summary>
/// <remarks>
/// With it on, every heap is a debug heap (a private <see cref="ArenaHeap"/> can also be one on its own, with
/// <c>debug: true</c>): each entry point of <see cref="PooledHeap"/> tests this flag first and sends every allocation
/// and free to the debug paths of ArenaHeap.Debug.cs (guard bytes, dead-byte fill, double-free and stale-handle
/// detection through <see cref="Pooled{T}"/>'s stamp, allocation sites). With it off, the JIT removes the test and
/// the debug branch, and the fast paths compile exactly as they would without debug mode.
/// </remarks>
internal static class DebugMode
{
    /// <summary>True when debug mode is on.</summary>
    public static readonly bool Enabled =
        (AppContext.TryGetSwitch("PooledGen.Debug", out bool on) && on) ||
        Environment.GetEnvironmentVariable("POOLEDGEN_DEBUG") is "1" or "true" or "TRUE" or "True";
}
