using System;

namespace PooledGen;

/// <summary>
/// PooledGen runs in 64-bit processes only. The generator computes each <c>[Pooled]</c> struct's size at compile time
/// for 8-byte pointers, and the allocator's headers and size classes are laid out for them; a 32-bit process would
/// fail at the first allocation with a size mismatch that names the wrong cause. So the two places every process
/// passes before it allocates, <see cref="StartupConfiguration.Freeze()"/> and
/// <see cref="PooledHeap.RegisterType{T}(string, int)"/>, refuse a 32-bit process with a message that says so.
/// </summary>
internal static class ProcessBitness
{
    /// <summary>
    /// Throws when <paramref name="pointerSize"/>, the process's <see cref="IntPtr.Size"/> (a JIT constant, so the
    /// test vanishes from compiled code in a 64-bit process), is not 8. Tests pass other sizes.
    /// </summary>
    /// <exception cref="PlatformNotSupportedException">The process is not 64-bit.</exception>
    public static void Require64Bit(int pointerSize)
    {
        if (pointerSize != 8)
        {
            throw new PlatformNotSupportedException(
                $"PooledGen supports 64-bit processes only, and this process is {pointerSize * 8}-bit ({pointerSize}-byte pointers): " +
                "the sizes PooledGen computes at compile time and its allocator's layout assume 8-byte pointers. " +
                "Run the application as a 64-bit process: remove <PlatformTarget>x86</PlatformTarget> (or <Prefer32Bit>) " +
                "from the project, or start it with a 64-bit dotnet host.");
        }
    }
}
