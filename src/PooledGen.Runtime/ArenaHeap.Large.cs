using System;
using System.Runtime.InteropServices;

namespace PooledGen;

// The large-object path of a heap: requests over 512 bytes, or for a struct aligned more strictly than a pool can
// honour, counted against this heap's cap and statistics. The blocks themselves are recorded in LargeObjects.cs.
public sealed unsafe partial class ArenaHeap
{
    /// <summary>
    /// Allocates a large block (not zeroed), counted against this heap's cap and statistics. It is recorded under
    /// its address plus <paramref name="debugPrefix"/>, the address a debug heap hands out (0 in release mode).
    /// </summary>
    internal void* AllocateLarge(nuint size, nuint alignment, int debugPrefix = 0)
    {
        lock (_lock)
        {
            ThrowIfDisposed();
            ThrowIfLargeBlockCannotFit(size);

            _largeObjectBytes += (long)size;
            _largeObjectCount++;
            _largeObjectAllocations++;
        }

        void* block;
        try
        {
            block = NativeMemory.AlignedAlloc(size, alignment);
        }
        catch (OutOfMemoryException refused)
        {
            UncountLargeObject(size);
            throw new OutOfMemoryException(
                $"PooledGen: the operating system refused a large block of {size:N0} bytes ({(double)size / (1 << 30):N1} GiB, aligned to {alignment}); " +
                "nothing was allocated and the heap is unchanged.", refused);
        }

        try
        {
            LargeObjects.Register(block, debugPrefix, Id, size);
        }
        catch
        {
            NativeMemory.AlignedFree(block);
            UncountLargeObject(size);
            throw;
        }

        return block;
    }

    /// <summary>A zeroed large block (the untyped <c>Allocate</c> of more than 512 bytes).</summary>
    private void* AllocateLargeZeroed(nuint size)
    {
        void* large = AllocateLarge(size, SizeClass.Spacing);
        NativeMemory.Clear(large, size);
        return large;
    }

    /// <summary>
    /// Under the lock: refuses a large block that would pass the cap, or that no address space holds. Compared as
    /// unsigned room left, never as a sum, so a size near <see cref="nuint.MaxValue"/> cannot wrap past the cap.
    /// </summary>
    private void ThrowIfLargeBlockCannotFit(nuint size)
    {
        if (_maxReservedBytes > 0 && (ReservedBytes > _maxReservedBytes || (ulong)size > (ulong)(_maxReservedBytes - ReservedBytes)))
        {
            throw new OutOfMemoryException(
                $"PooledGen: a large block of {size} bytes would take the heap's reserved memory to {(UInt128)(ulong)ReservedBytes + (ulong)size} bytes, over its cap of {_maxReservedBytes} bytes.");
        }

        if ((ulong)size > long.MaxValue)
        {
            throw new OutOfMemoryException(
                $"PooledGen: a large block of {size} bytes is more than any address space holds (the heap has no cap on reserved bytes).");
        }
    }

    /// <summary>Refuses, as <see cref="AllocateLarge"/> would, a request too large to lay out at all.</summary>
    internal void ThrowRequestTooLarge(nuint size)
    {
        lock (_lock)
        {
            ThrowIfDisposed();
            ThrowIfLargeBlockCannotFit(size);
        }

        // Under no cap and below long.MaxValue, yet too large for the caller's arithmetic: still no memory for it.
        throw new OutOfMemoryException($"PooledGen: a block of {size} bytes is more than any address space holds.");
    }

    /// <summary>Counts a large block of this heap as freed.</summary>
    internal void OnLargeObjectFreed(nuint size)
    {
        lock (_lock)
        {
            _largeObjectBytes -= (long)size;
            _largeObjectCount--;
            _largeObjectFrees++;
        }
    }

    /// <summary>Takes back the counts of a large block that could not be handed out after all.</summary>
    private void UncountLargeObject(nuint size)
    {
        lock (_lock)
        {
            _largeObjectBytes -= (long)size;
            _largeObjectCount--;
            _largeObjectAllocations--;
        }
    }
}
