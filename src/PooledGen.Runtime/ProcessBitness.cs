using System;

namespace PooledGen;

/// <summary>
/// PooledGen runs in 64-bit processes only. The generator computes each <c>[Pooled]</c> struct's size at compile time
/// for 8-byte pointers, and the allocator's headers and size classes are laid out for them; a 32-bit process would
/// fail at the first allocation with a size mismatch that names the wrong cause. So
/// <see cref="StartupConfiguration.Freeze()"/>, which every heap's creation passes, refuses a 32-bit process with a
/// message that says so, and <see cref="PooledHeap.RegisterType{T}(string, int)"/>, which generated code calls at type
/// initialisation just before, skips its size check there, so that the refusal is what the user sees.
/// </summary>
internal static class ProcessBitness
{
    /// <summary>True when <paramref name="pointerSize"/> (the process's <see cref="IntPtr.Size"/>) is 8.</summary>
    public static bool Is64Bit(int pointerSize) => pointerSize == 8;

    /// <summary>
    /// Throws when <paramref name="pointerSize"/>, the process's <see cref="IntPtr.Size"/>, is not 8 (tests pass other
    /// sizes). Called once per heap creation, never on a fast path.
    /// </summary>
    /// <exception cref="PlatformNotSupportedException">The process is not 64-bit.</exception>
    public static void Require64Bit(int pointerSize)
    {
        if (!Is64Bit(pointerSize))
        {
            throw new PlatformNotSupportedException(
                $"PooledGen supports 64-bit processes only, and this process is {pointerSize * 8}-bit ({pointerSize}-byte pointers): " +
                "the sizes PooledGen computes at compile time and its allocator's layout assume 8-byte pointers. " +
                "Run the application as a 64-bit process: remove <PlatformTarget>x86</PlatformTarget> (or <Prefer32Bit>) " +
                "from the project, or start it with a 64-bit dotnet host.");
        }
    }
}
