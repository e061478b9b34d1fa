using System;

namespace PooledGen;

/// <summary>
/// PooledGen's thread-statics, alone in a class with no other static field and no static constructor. On .NET 10 the
/// first read on a thread of a thread-static declared in a class that also has ordinary statics (an object field, say)
/// makes the runtime allocate that thread's managed thread-static storage: about 170 bytes on the GC heap for every new
/// thread. Unmanaged thread-statics in a class like this one live in native thread-local storage and cost nothing.
/// </summary>
internal static unsafe class ThreadStatics
{
    /// <summary>The calling thread's part of the shared heap: one thread-static read on the fast path; null until the thread attaches.</summary>
    [ThreadStatic]
    internal static ThreadHeap* SharedThreadHeap;

    /// <summary>The calling thread's <see cref="ThreadLife"/> record; null until the thread first attaches to a heap.</summary>
    [ThreadStatic]
    internal static ThreadLife* Life;
}
