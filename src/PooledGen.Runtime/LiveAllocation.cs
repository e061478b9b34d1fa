using System;
using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace PooledGen;

/// <summary>
/// A block a debug heap handed out and that is not freed yet, with where it was allocated: one line of the leak
/// report (<see cref="ArenaHeap.GetLiveAllocations"/>, <see cref="PooledHeap.GetLiveAllocations"/>).
/// </summary>
public sealed class LiveAllocation
{
    private string? _allocationSite;

    internal LiveAllocation(nuint address, Type? type, long size, int sizeClass, int blockSize, int prefix, ulong stamp, StackTrace stackTrace)
    {
        Address = address;
        Type = type;
        TypeName = DebugLayout.NameOf(type);
        Size = size;
        SizeClass = sizeClass;
        BlockSize = blockSize;
        Prefix = prefix;
        Stamp = stamp;
        AllocationStackTrace = stackTrace;
        ManagedThreadId = Environment.CurrentManagedThreadId;
    }

    /// <summary>The address handed out (of the struct, or of the bytes of an untyped allocation).</summary>
    public nuint Address { get; }

    /// <summary>The struct allocated, or null for an untyped allocation (<see cref="ArenaHeap.Allocate(nuint)"/>).</summary>
    public Type? Type { get; }

    /// <summary>The struct's name (its registered <c>[Pooled]</c> name when it has one), or <c>untyped</c>.</summary>
    public string TypeName { get; }

    /// <summary>The bytes requested: <c>sizeof(T)</c>, or the size passed to <see cref="ArenaHeap.Allocate(nuint)"/>.</summary>
    public long Size { get; }

    /// <summary>The size class of the debug block that holds it (guards included), or -1 for the large-object path.</summary>
    public int SizeClass { get; }

    /// <summary>The bytes of the debug block that holds it: header, guards, the struct and padding.</summary>
    public int BlockSize { get; }

    /// <summary>The managed thread id of the thread that allocated it.</summary>
    public int ManagedThreadId { get; }

    /// <summary>The stack at the allocation, whole: PooledGen's own frames and the generated <c>Alloc</c> first.</summary>
    public StackTrace AllocationStackTrace { get; }

    /// <summary>
    /// The user's code that allocated the block: <c>Namespace.Type.Method</c>, with the file and line when symbols are
    /// available. PooledGen's own frames and generated code (the struct's generated <c>Alloc</c>) are skipped, so
    /// leaks from different methods are told apart.
    /// </summary>
    public string AllocationSite => _allocationSite ??= Describe(FirstUserFrame());

    /// <summary>Bytes from the start of the debug block to <see cref="Address"/>.</summary>
    internal int Prefix { get; }

    /// <summary>The stamp of the allocation, which live handles to it carry.</summary>
    internal ulong Stamp { get; }

    /// <inheritdoc />
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{TypeName} ({Size} bytes) at 0x{Address:X}, allocated at {AllocationSite}");

    /// <summary>The allocation's stack from the user's frame (<see cref="AllocationSite"/>), one frame a line, indented.</summary>
    internal string UserStackTrace(string indent, int maxFrames)
    {
        var text = new StringBuilder();
        int first = FirstUserFrameIndex();
        StackFrame[] frames = AllocationStackTrace.GetFrames();
        for (int i = first; i < frames.Length && i < first + maxFrames; i++)
        {
            text.Append(indent).Append("at ").Append(Describe(frames[i])).AppendLine();
        }

        return text.ToString();
    }

    private StackFrame? FirstUserFrame()
    {
        int index = FirstUserFrameIndex();
        return index < AllocationStackTrace.FrameCount ? AllocationStackTrace.GetFrame(index) : null;
    }

    private int FirstUserFrameIndex() => AllocationFrames.FirstUserFrameIndex(AllocationStackTrace.GetFrames());

    private static string Describe(StackFrame? frame) => AllocationFrames.Describe(frame);
}
