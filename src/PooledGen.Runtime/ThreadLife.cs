using System;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Threading;

namespace PooledGen;

/// <summary>
/// How a heap learns that a thread it attached has ended, without a managed object per thread: reading
/// <c>Thread.CurrentThread</c> on a new thread makes the runtime allocate that thread's managed thread-static storage
/// (144 bytes on the GC heap), and a finalizable lease would cost more. On Linux each thread that attaches gets one
/// record in native memory whose first 32 bytes are a POSIX semaphore, registered as the value of a pthread key whose
/// destructor is libc's own <c>sem_post</c>: when the thread exits, the C library posts the semaphore, and no managed
/// code runs on the dying thread. Elsewhere (or if libc lacks those functions) the record holds a GC handle to the
/// thread's <see cref="Thread"/> and asks <see cref="Thread.IsAlive"/>.
/// </summary>
/// <remarks>
/// Invariants:
/// <list type="bullet">
/// <item>A record belongs to one thread from <see cref="OfCurrentThread"/> until that thread has ended and no attach
/// refers to it (<see cref="References"/> is 0); only then is it reused for another thread (never freed).</item>
/// <item><see cref="References"/> counts the heaps' attach entries (<c>_attachedThreads</c>) that hold the record: one
/// per attach, dropped when the entry goes (detach, abandonment, dispose).</item>
/// <item>Once <see cref="HasEnded"/> returns true for a record it stays true until the record is reused.</item>
/// </list>
/// The exit signal follows the thread's pthread exit, which comes a few microseconds after <see cref="Thread.Join()"/>
/// returns: a heap may notice an ended thread at its next scan rather than at once.
/// </remarks>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct ThreadLife
{
    /// <summary>The semaphore (a <c>sem_t</c>, 32 bytes on 64-bit glibc and musl) libc posts when the thread exits; first, so that its address is the record's.</summary>
    private fixed long _endedSignal[4];

    /// <summary>The next record of <see cref="s_all"/>.</summary>
    private ThreadLife* _next;

    /// <summary>The attach entries that hold this record (see the invariants).</summary>
    public int References;

    /// <summary>Without the native signal: a GC handle to the thread, to ask <see cref="Thread.IsAlive"/>; 0 when the signal serves.</summary>
    private nint _thread;

    private static readonly object s_lock = new();
    private static ThreadLife* s_all;

    /// <summary>How many records exist (tests: they are reused, so this follows the threads alive at once, not all threads ever).</summary>
    internal static int RecordCount
    {
        get
        {
            lock (s_lock)
            {
                int count = 0;
                for (ThreadLife* life = s_all; life != null; life = life->_next)
                {
                    count++;
                }

                return count;
            }
        }
    }

    /// <summary>True when threads' ends are signalled by the C library (Linux), so attaching a thread allocates nothing on the GC heap.</summary>
    internal static bool SignalledByLibc => Signal.Available;

    /// <summary>The calling thread's record, made (or reused) at its first attach to any heap.</summary>
    public static ThreadLife* OfCurrentThread()
    {
        ThreadLife* life = ThreadStatics.Life;
        if (life == null)
        {
            life = Begin();
            ThreadStatics.Life = life; // not a field of this struct: see ThreadStatics
        }

        return life;
    }

    /// <summary>An attach entry now holds <paramref name="life"/>.</summary>
    public static void Retain(ThreadLife* life) => Interlocked.Increment(ref life->References);

    /// <summary>An attach entry that held <paramref name="life"/> is gone.</summary>
    public static void Release(ThreadLife* life)
    {
        int left = Interlocked.Decrement(ref life->References);
        Debug.Assert(left >= 0, "a thread life is released once per retain");
    }

    /// <summary>True once the record's thread has ended.</summary>
    public static bool HasEnded(ThreadLife* life)
    {
        if (life->_thread == 0)
        {
            int posted = 0;
            return Signal.GetValue(life, &posted) == 0 && posted > 0;
        }

        return GCHandle.FromIntPtr(life->_thread).Target is not Thread { IsAlive: true };
    }

    private static ThreadLife* Begin()
    {
        ThreadLife* life;
        lock (s_lock)
        {
            life = s_all;
            while (life != null && !(life->References == 0 && HasEnded(life)))
            {
                life = life->_next;
            }

            if (life == null)
            {
                life = (ThreadLife*)NativeMemory.AlignedAlloc((nuint)sizeof(ThreadLife), 64);
                NativeMemory.Clear(life, (nuint)sizeof(ThreadLife));
                life->_next = s_all;
                s_all = life;
            }
            else if (life->_thread != 0)
            {
                GCHandle.FromIntPtr(life->_thread).Free();
                life->_thread = 0;
            }

            Debug.Assert(life->References == 0, "a record is reused only when no attach holds it");
            if (Signal.Available && Signal.Arm(life))
            {
                return life;
            }

            // No native signal: the managed thread object (its first read on this thread allocates, see the summary).
            life->_thread = GCHandle.ToIntPtr(GCHandle.Alloc(Thread.CurrentThread));
            return life;
        }
    }

    /// <summary>The Linux exit signal: a pthread key whose destructor is libc's <c>sem_post</c>, found once.</summary>
    private static class Signal
    {
        public static readonly bool Available;
        private static readonly uint s_key;
        private static readonly delegate* unmanaged<void*, int, uint, int> s_semInit;
        private static readonly delegate* unmanaged<void*, int*, int> s_semGetValue;
        private static readonly delegate* unmanaged<uint, void*, int> s_setSpecific;

        static Signal()
        {
            if (!OperatingSystem.IsLinux() || !TryFind("sem_post", out nint semPost) || !TryFind("sem_init", out nint semInit)
                || !TryFind("sem_getvalue", out nint semGetValue) || !TryFind("pthread_key_create", out nint keyCreate)
                || !TryFind("pthread_setspecific", out nint setSpecific))
            {
                return;
            }

            uint key;
            if (((delegate* unmanaged<uint*, nint, int>)keyCreate)(&key, semPost) != 0)
            {
                return; // out of keys (PTHREAD_KEYS_MAX): the managed fallback
            }

            s_key = key;
            s_semInit = (delegate* unmanaged<void*, int, uint, int>)semInit;
            s_semGetValue = (delegate* unmanaged<void*, int*, int>)semGetValue;
            s_setSpecific = (delegate* unmanaged<uint, void*, int>)setSpecific;
            Available = true;
        }

        /// <summary>Resets the record's semaphore to 0 and registers it for the calling thread's exit; false if libc refused.</summary>
        public static bool Arm(ThreadLife* life) =>
            s_semInit(life, 0, 0) == 0 && s_setSpecific(s_key, life) == 0;

        public static int GetValue(ThreadLife* life, int* value) => s_semGetValue(life, value);

        // The process's global scope first (it holds libpthread where glibc before 2.34 keeps these), then libc itself.
        private static bool TryFind(string name, out nint address) =>
            NativeLibrary.TryGetExport(NativeLibrary.GetMainProgramHandle(), name, out address)
            || (NativeLibrary.TryLoad("libc.so.6", out nint libc) && NativeLibrary.TryGetExport(libc, name, out address));
    }
}
