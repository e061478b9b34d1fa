using System.Runtime.InteropServices;

namespace PooledGen.Benchmarks;

// Plain unmanaged structs of the sizes the issue names, so the suites call PooledHeap directly and do not depend
// on the generator. Each has one long so that the benchmarks can write into the block they were given.

/// <summary>A 16-byte payload.</summary>
[StructLayout(LayoutKind.Sequential, Size = 16)]
public struct S16 { public long First; }

/// <summary>A 32-byte payload.</summary>
[StructLayout(LayoutKind.Sequential, Size = 32)]
public struct S32 { public long First; }

/// <summary>A 48-byte payload (the memory harness's churn object).</summary>
[StructLayout(LayoutKind.Sequential, Size = 48)]
public struct S48 { public long First; }

/// <summary>A 64-byte payload.</summary>
[StructLayout(LayoutKind.Sequential, Size = 64)]
public struct S64 { public long First; }

/// <summary>A 256-byte payload.</summary>
[StructLayout(LayoutKind.Sequential, Size = 256)]
public struct S256 { public long First; }

/// <summary>A 512-byte payload.</summary>
[StructLayout(LayoutKind.Sequential, Size = 512)]
public struct S512 { public long First; }

/// <summary>The managed equivalent of a payload: a class holding the same struct, so `new` moves the same bytes.</summary>
/// <typeparam name="T">The payload.</typeparam>
public sealed class Box<T> where T : unmanaged
{
    /// <summary>The payload, inline in the object.</summary>
    public T Value;
}
