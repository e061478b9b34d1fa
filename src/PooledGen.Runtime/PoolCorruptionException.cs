using System;
using System.Globalization;

namespace PooledGen;

/// <summary>Which guard of a debug block was found broken.</summary>
public enum GuardPosition
{
    /// <summary>The guard bytes right before the block: something wrote before its start (an underrun).</summary>
    Before,

    /// <summary>The guard bytes right after the block: something wrote past its end (an overrun).</summary>
    After,
}

/// <summary>
/// Thrown in debug mode when a block is freed and a guard byte around it has been overwritten: code wrote before the
/// start or past the end of the block. The block is not freed (it stays in the leak report); the heap itself is left
/// as it was, but the memory next to the block may belong to another allocation that is damaged.
/// </summary>
public sealed class PoolCorruptionException : Exception
{
    /// <summary>Creates the exception with a default message.</summary>
    public PoolCorruptionException()
        : base("PooledGen: a guard byte of a debug block was overwritten.")
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    /// <param name="message">The message.</param>
    public PoolCorruptionException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/> and the exception that caused it.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public PoolCorruptionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    internal PoolCorruptionException(LiveAllocation block, string typeName, GuardPosition guard, long byteOffset, byte found)
        : base(Describe(block, typeName, guard, byteOffset, found))
    {
        TypeName = typeName;
        SizeClass = block.SizeClass;
        BlockSize = block.BlockSize;
        BlockAddress = block.Address;
        RequestedSize = block.Size;
        Guard = guard;
        ByteOffset = byteOffset;
        AllocationSite = block.AllocationSite;
    }

    /// <summary>The struct in the block (<c>untyped</c> for an untyped allocation).</summary>
    public string? TypeName { get; }

    /// <summary>The size class of the debug block, or -1 when it took the large-object path.</summary>
    public int SizeClass { get; }

    /// <summary>The bytes of the debug block, guards included.</summary>
    public int BlockSize { get; }

    /// <summary>The address of the block as handed out (the struct's address).</summary>
    public nuint BlockAddress { get; }

    /// <summary>The bytes requested for the block.</summary>
    public long RequestedSize { get; }

    /// <summary>Which guard is broken.</summary>
    public GuardPosition Guard { get; }

    /// <summary>
    /// Where the first broken byte is, from <see cref="BlockAddress"/>: negative before the block (-1 is the byte
    /// right before it), <see cref="RequestedSize"/> or more after it.
    /// </summary>
    public long ByteOffset { get; }

    /// <summary>Where the block was allocated.</summary>
    public string? AllocationSite { get; }

    private static string Describe(LiveAllocation block, string typeName, GuardPosition guard, long byteOffset, byte found)
    {
        string where = guard == GuardPosition.Before ? "before the start" : "past the end";
        string sizeClass = block.SizeClass >= 0
            ? $"size class {block.SizeClass}, {block.BlockSize}-byte debug blocks"
            : $"large-object path, {block.BlockSize}-byte debug block";
        return string.Create(CultureInfo.InvariantCulture,
            $"PooledGen: the guard {(guard == GuardPosition.Before ? "before" : "after")} the {typeName} block at 0x{block.Address:X} " +
            $"({block.Size} bytes; {sizeClass}) is broken at byte offset {byteOffset}: found 0x{found:X2} where 0xFD belongs. " +
            $"Something wrote {where} of the block. It was allocated at {block.AllocationSite}. The block was not freed.");
    }
}
