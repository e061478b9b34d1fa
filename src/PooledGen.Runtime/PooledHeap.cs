using System;
using System.Runtime.CompilerServices;
using System.Threading;

// The facade generated code calls. The allocator it fronts, and the essay that explains it, are in ArenaHeap.cs;
// the fast paths below are ArenaHeap's, paired with the shared heap's own slow paths.

namespace PooledGen;

/// <summary>
/// The process-wide PooledGen heap: a pymalloc-style allocator of arenas, pools and 32 size classes of blocks
/// (16 to 512 bytes) off the GC heap, with a heap per thread so that allocation and free take no lock.
/// Generated code for <see cref="PooledAttribute">[Pooled]</see> structs calls <see cref="Alloc{T}()"/> and
/// <see cref="Free{T}(Pooled{T})"/>; <see cref="Allocate(nuint)"/> and <see cref="Free(void*)"/> serve callers
/// without a type. Create an <see cref="ArenaHeap"/> for a separate heap.
/// </summary>
/// <example>
/// <code>
/// Pooled&lt;Particle&gt; p = PooledHeap.Alloc&lt;Particle&gt;();   // zeroed
/// p.Value.Life = 1f;
/// PooledHeap.Free(p);
/// </code>
/// </example>
public static unsafe class PooledHeap
{
    /// <summary>Requests of more bytes than this go to the large-object path.</summary>
    public const int SmallObjectThreshold = 512;

    private static readonly object s_sharedLock = new();
    private static ArenaHeap? s_shared;

    /// <summary>The shared heap, created at first use.</summary>
    internal static ArenaHeap Shared => Volatile.Read(ref s_shared) ?? CreateShared();

    /// <summary>
    /// Sets the start-up options: arena and pool sizes (process-wide, for every heap) and the shared heap's cap on
    /// reserved bytes. Call it once, before the first use of any heap (an allocation, a statistics snapshot, or the
    /// creation of an <see cref="ArenaHeap"/>); otherwise the AppContext switches and environment variables described
    /// on <see cref="PooledHeapOptions"/> apply.
    /// </summary>
    /// <param name="options">The options; they are copied.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range (see <see cref="PooledHeapOptions.Validate"/>).</exception>
    /// <exception cref="InvalidOperationException">A heap is already in use.</exception>
    /// <remarks>
    /// A bad AppContext switch or environment variable is reported by the first use of a heap, by the setting's name
    /// and value, and fixes nothing: calling <see cref="Configure"/> then, before anything was allocated, still works.
    /// PooledGen runs in 64-bit processes only; in a 32-bit process the first use of a heap throws
    /// <see cref="PlatformNotSupportedException"/>.
    /// </remarks>
    public static void Configure(PooledHeapOptions options) => StartupConfiguration.Configure(options);

    /// <summary>Allocates a zeroed <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">The struct to allocate.</typeparam>
    /// <returns>A handle to the new struct, which holds <c>default(T)</c>.</returns>
    /// <exception cref="OutOfMemoryException">The operating system, or the configured cap, refused the memory.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Pooled<T> Alloc<T>() where T : unmanaged
    {
        if (DebugMode.Enabled)
        {
            return Shared.AllocDebug<T>();
        }

        var pointer = (T*)AllocateBlock<T>();
        *pointer = default;
        return new Pooled<T>(pointer);
    }

    /// <summary>Allocates a <typeparamref name="T"/> holding a copy of <paramref name="value"/>.</summary>
    /// <typeparam name="T">The struct to allocate.</typeparam>
    /// <param name="value">The value to copy into the block.</param>
    /// <returns>A handle to the new struct.</returns>
    /// <exception cref="OutOfMemoryException">The operating system, or the configured cap, refused the memory.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Pooled<T> Alloc<T>(in T value) where T : unmanaged
    {
        if (DebugMode.Enabled)
        {
            return Shared.AllocDebug(value);
        }

        var pointer = (T*)AllocateBlock<T>();
        *pointer = value;
        return new Pooled<T>(pointer);
    }

    /// <summary>
    /// Frees the block behind <paramref name="item"/>, on any thread, back to the heap that allocated it.
    /// Freeing <see cref="Pooled{T}.Null"/> does nothing. Free exactly one copy of a handle, once.
    /// </summary>
    /// <typeparam name="T">The struct in the block.</typeparam>
    /// <param name="item">The handle.</param>
    /// <exception cref="PoolCorruptionException">Debug mode: a guard byte around the block was overwritten; nothing was freed.</exception>
    /// <exception cref="ObjectDisposedException">Debug mode: the block was already freed (a double free, or a stale handle); nothing was freed.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Free<T>(Pooled<T> item) where T : unmanaged
    {
        if (!item.IsNull)
        {
            if (DebugMode.Enabled)
            {
                ArenaHeap.FreeDebug(item.Pointer, item.Tag, typeof(T));
                return;
            }

            ArenaHeap.FreeBlock(ThreadStatics.SharedThreadHeap, item.Pointer);
        }
    }

    /// <summary>Allocates <paramref name="size"/> zeroed bytes, at least 16-byte aligned.</summary>
    /// <param name="size">The number of bytes; 0 gives a unique 16-byte block.</param>
    /// <returns>The block; free it with <see cref="Free(void*)"/>.</returns>
    /// <exception cref="OutOfMemoryException">The operating system, or the configured cap, refused the memory.</exception>
    public static void* Allocate(nuint size) =>
        DebugMode.Enabled
            ? Shared.AllocateDebug(size, SizeClass.Spacing, null, out _)
            : Shared.AllocateUntyped(size);

    /// <summary>
    /// Allocates <paramref name="size"/> bytes whose contents are undefined (C's <c>malloc</c>, where
    /// <see cref="Allocate(nuint)"/> is <c>calloc</c>), at least 16-byte aligned: for a caller that writes every byte
    /// before it reads any. In debug mode they are zeroed anyway.
    /// </summary>
    /// <param name="size">The number of bytes; 0 gives a unique 16-byte block.</param>
    /// <returns>The block; free it with <see cref="Free(void*)"/>.</returns>
    /// <exception cref="OutOfMemoryException">The operating system, or the configured cap, refused the memory.</exception>
    public static void* AllocateUninitialized(nuint size) => Shared.AllocateUninitialized(size);

    /// <summary>
    /// The calling thread's part of the shared heap, to allocate and free through without a thread-static read per
    /// call: <c>T.Alloc(heap)</c>, <c>T.Free(heap, item)</c>. Take it once at the top of a loop or a frame and pass it
    /// down (see <see cref="LocalHeap"/>).
    /// </summary>
    public static LocalHeap Local
    {
        get
        {
            ThreadHeap* threadHeap = ThreadStatics.SharedThreadHeap;
            return threadHeap != null ? new LocalHeap(threadHeap) : Shared.Local;
        }
    }

    /// <summary>
    /// Frees a block from <see cref="Allocate(nuint)"/> (or from any PooledGen heap), on any thread.
    /// A null pointer is ignored.
    /// </summary>
    /// <param name="pointer">The block.</param>
    /// <exception cref="ArgumentException">
    /// <paramref name="pointer"/> was not handed out by PooledGen, or points inside a block rather than at its start;
    /// nothing is freed and the heap is unchanged.
    /// </exception>
    /// <exception cref="PoolCorruptionException">Debug mode: a guard byte around the block was overwritten; nothing was freed.</exception>
    /// <exception cref="ObjectDisposedException">Debug mode: the block was already freed; nothing was freed.</exception>
    public static void Free(void* pointer)
    {
        // Before the settings are frozen no heap, hence no block, exists, and masking the pointer would read
        // HeapGeometry: freeze first (see HeapGeometry's rule), which refuses a bad setting by its own name.
        if (!StartupConfiguration.IsFrozen && pointer != null)
        {
            StartupConfiguration.Freeze();
        }

        if (DebugMode.Enabled)
        {
            ArenaHeap.FreeDebug(pointer, 0, null);
            return;
        }

        ArenaHeap.FreeUntyped(ThreadStatics.SharedThreadHeap, pointer);
    }

    /// <summary>
    /// True when the process runs PooledGen in debug mode: started with the environment variable
    /// <c>POOLEDGEN_DEBUG=1</c> or the AppContext switch <c>PooledGen.Debug</c> set to true (read once, at start-up).
    /// Every heap is then a debug heap; see <see cref="ArenaHeap(long, bool)"/> for what debug mode does.
    /// </summary>
    public static bool IsDebugEnabled => DebugMode.Enabled;

    /// <summary>Takes a snapshot of the shared heap's statistics. Allocating threads are not stopped.</summary>
    /// <returns>The snapshot.</returns>
    public static PooledHeapStatistics GetStatistics() => Shared.GetStatistics();

    /// <summary>
    /// Writes the shared heap's statistics as a table in the spirit of CPython's <c>sys._debugmallocstats()</c>: the
    /// size classes in use, the arenas, where the reserved bytes are, the large-object path and the <c>[Pooled]</c>
    /// types (see <see cref="ArenaHeap.WriteStatistics(System.IO.TextWriter)"/>).
    /// </summary>
    /// <param name="writer">Where to write, e.g. <see cref="Console.Out"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="writer"/> is null.</exception>
    public static void WriteStatistics(System.IO.TextWriter writer) => Shared.WriteStatistics(writer);

    /// <summary>The shared heap's live blocks with the stack traces that allocated them (debug mode only).</summary>
    /// <returns>The live blocks, by type name, then allocation site, then address.</returns>
    /// <exception cref="InvalidOperationException">Debug mode is off: allocation sites are not recorded.</exception>
    public static System.Collections.Generic.IReadOnlyList<LiveAllocation> GetLiveAllocations() => Shared.GetLiveAllocations();

    /// <summary>
    /// Writes the shared heap's leak report: the live blocks grouped by type and allocation site (debug mode); in
    /// release mode one line saying how to switch debug mode on. Call it at shutdown, once everything should be freed.
    /// </summary>
    /// <param name="writer">Where to write, e.g. <see cref="Console.Error"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="writer"/> is null.</exception>
    public static void WriteLeakReport(System.IO.TextWriter writer) => Shared.WriteLeakReport(writer);

    /// <summary>
    /// Writes the shared heap's arena map as compact text: one line per arena with a glyph per pool (how full it is, or
    /// empty, waiting for the purge, decommitted, never carved), so that memory held by sparse arenas can be seen; in
    /// debug mode, also the types (and allocation sites) whose blocks hold the sparsest arenas. See
    /// <see cref="ArenaHeap.WriteArenaMap(System.IO.TextWriter)"/>.
    /// </summary>
    /// <param name="writer">Where to write, e.g. <see cref="Console.Out"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="writer"/> is null.</exception>
    public static void WriteArenaMap(System.IO.TextWriter writer) => Shared.WriteArenaMap(writer);

    /// <summary>Writes the shared heap's arena map as an SVG picture (see <see cref="ArenaHeap.WriteArenaMapSvg(System.IO.TextWriter)"/>).</summary>
    /// <param name="writer">Where to write, e.g. a <see cref="System.IO.StreamWriter"/> on <c>arenas.svg</c>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="writer"/> is null.</exception>
    public static void WriteArenaMapSvg(System.IO.TextWriter writer) => Shared.WriteArenaMapSvg(writer);

    /// <summary>
    /// Returns to the operating system every arena of the shared heap with no block in use (see
    /// <see cref="ArenaHeap.Trim"/>).
    /// </summary>
    /// <returns>The bytes returned.</returns>
    public static long Trim() => Volatile.Read(ref s_shared)?.Trim() ?? 0;

    /// <summary>
    /// Hands the calling thread's part of the shared heap back at once, as the end of the thread would (see
    /// <see cref="ArenaHeap.DetachCurrentThread"/>): call it last thing in a worker thread that allocated, so that its
    /// pools go to other threads now rather than when the garbage collector finalizes its thread state. Blocks it
    /// allocated stay valid. Does nothing when the thread has not allocated.
    /// </summary>
    public static void DetachCurrentThread() => Volatile.Read(ref s_shared)?.DetachCurrentThread();

    /// <summary>
    /// Checks, once per type at type initialisation, that the size the generator computed at compile time for
    /// <typeparamref name="T"/> matches the CLR's, and records the type's name for statistics.
    /// Called by generated code; not meant to be called by hand.
    /// </summary>
    /// <typeparam name="T">The <c>[Pooled]</c> struct.</typeparam>
    /// <param name="typeName">The type's display name.</param>
    /// <param name="compileTimeSize">The generator's size, or -1 where it could not be computed.</param>
    /// <returns>
    /// True, so that generated code can keep the call in a static field initialiser; false in a 32-bit process, where
    /// nothing is checked or recorded: the compile-time sizes are for 64-bit, so they would differ for that reason
    /// alone, and the first use of a heap, which comes right after, refuses the process with
    /// <see cref="PlatformNotSupportedException"/> (thrown there by itself, rather than wrapped here in the
    /// <see cref="TypeInitializationException"/> of the generated type check).
    /// </returns>
    /// <exception cref="InvalidOperationException">The sizes differ.</exception>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public static bool RegisterType<T>(string typeName, int compileTimeSize) where T : unmanaged =>
        RegisterType<T>(typeName, compileTimeSize, IntPtr.Size);

    /// <summary><see cref="RegisterType{T}(string, int)"/> in a process whose pointers are <paramref name="pointerSize"/> bytes (tests pass 4).</summary>
    internal static bool RegisterType<T>(string typeName, int compileTimeSize, int pointerSize) where T : unmanaged
    {
        // Before the size check, whose message would misname the cause in a 32-bit process.
        if (!ProcessBitness.Is64Bit(pointerSize))
        {
            return false;
        }

        if (compileTimeSize != -1 && compileTimeSize != sizeof(T))
        {
            throw new InvalidOperationException(
                $"PooledGen computed {compileTimeSize} bytes for {typeName} at compile time but the runtime lays it out in {sizeof(T)} bytes. " +
                "Allocation uses the runtime size; please report this layout to the PooledGen project.");
        }

        TypeRegistry.Register<T>(typeName);
        return true;
    }

    /// <summary>The shared heap's typed allocation: the size class, and whether to take the large path, are JIT constants.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void* AllocateBlock<T>() where T : unmanaged =>
        BlockLayout<T>.IsLarge
            ? Shared.AllocateLarge((nuint)sizeof(T), BlockLayout<T>.LargeAlignment)
            : AllocateSmall(BlockLayout<T>.Class);

    /// <summary>The fast path with the calling thread's part of the shared heap, else the shared heap's slow path.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte* AllocateSmall(int sizeClass)
    {
        ThreadHeap* threadHeap = ThreadStatics.SharedThreadHeap;
        byte* block = threadHeap != null ? ArenaHeap.TryAllocateSmall(threadHeap, sizeClass) : null;
        return block != null ? block : AllocateSlow(sizeClass);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static byte* AllocateSlow(int sizeClass)
    {
        ArenaHeap shared = Shared;
        return shared.AllocateFromPools(shared.CurrentThreadHeap(), sizeClass);
    }

    private static ArenaHeap CreateShared()
    {
        lock (s_sharedLock)
        {
            if (s_shared is null)
            {
                // Freeze before anything reads HeapGeometry (see its rule): a bad setting throws its own exception here
                // and fixes nothing, so a corrective Configure can follow and the next call creates the heap.
                PooledHeapOptions settings = StartupConfiguration.Freeze();
                Volatile.Write(ref s_shared, new ArenaHeap(settings.MaxReservedBytes, isShared: true, debug: false));
            }

            return s_shared;
        }
    }
}
