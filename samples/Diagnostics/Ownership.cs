using PooledGen;

namespace Diagnostics;

// The ownership analysis follows each handle through a method: every Alloc (or call of a factory such as Create) must
// be freed exactly once, or handed on (returned, stored, or passed to a [TakesOwnership] parameter), and never used
// after its Free.
public static class Ownership
{
    // PG0010 (warning): the block may already hold another object when it is read.
    public static long UseAfterFree()
    {
        var padded = Padded.Alloc();
        Padded.Free(padded);
        return padded.Value.Timestamp;
    }

    // PG0011 (warning): the second Free corrupts the pool's free list.
    public static void DoubleFree()
    {
        var padded = Padded.Alloc();
        Padded.Free(padded);
        Padded.Free(padded);
    }

    // PG0012 (warning): nothing frees the block; it stays in use for the life of the process.
    public static byte Leak()
    {
        var padded = Padded.Alloc();
        return padded.Value.Flag;
    }

    // No diagnostic: the handle is handed on to the caller, who owns it now.
    public static Pooled<Padded> Create() => Padded.Alloc();

    // PG0012 (warning): Create hands its caller a fresh block (it is a factory), and nothing frees this one.
    public static byte LeakFromFactory()
    {
        var padded = Create();
        return padded.Value.Flag;
    }

    private static readonly List<Pooled<Padded>> Recent = new();

    // PG0014 (warning): the using frees the block when the method ends, and the list keeps a handle to it.
    public static void KeptAfterUsing()
    {
        using var padded = Padded.Alloc();
        Recent.Add(padded);
    }
}
