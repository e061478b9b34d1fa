// Fields of test structs give them their layout; they are read and written through pointers, not by name.
#pragma warning disable CS0649

namespace PooledGen.Runtime.Tests;

/// <summary>
/// PooledGen supports 64-bit processes only. This machine runs 64-bit processes, so these tests pass the pointer size
/// to the checks (their internal seams) as a 32-bit process would have it.
/// </summary>
public unsafe class ProcessBitnessTests
{
    // In a 32-bit process a struct with a pointer is 4 bytes smaller than the generator computed for 64-bit.
    private struct WithPointer
    {
        public nint Handle;
        public int Tag;
    }

    [Fact]
    public void A_32_bit_process_is_refused_at_start_up_with_PlatformNotSupportedException_that_says_what_to_do()
    {
        var e = Assert.Throws<PlatformNotSupportedException>(() => StartupConfiguration.Freeze(pointerSize: 4));
        AssertSays32BitIsNotSupported(e);
    }

    [Fact]
    public void RegisterType_in_a_32_bit_process_does_not_misreport_a_size_mismatch_and_leaves_the_refusal_to_start_up()
    {
        // The generator's 64-bit size, which a 32-bit runtime would not match. RegisterType runs inside the generated
        // type check's initialiser: a throw there would reach the user wrapped in TypeInitializationException, so it
        // checks nothing, and the heap's start-up, reached by the same Alloc right after, throws the refusal itself.
        Assert.False(PooledHeap.RegisterType<WithPointer>("Tests.WithPointer", sizeof(WithPointer) + 4, pointerSize: 4));
        Assert.DoesNotContain(PooledHeap.GetStatistics().RegisteredTypes, t => t.Name == "Tests.WithPointer");
        AssertSays32BitIsNotSupported(Assert.Throws<PlatformNotSupportedException>(() => StartupConfiguration.Freeze(pointerSize: 4)));
    }

    [Fact]
    public void A_64_bit_process_passes_both_checks_and_a_real_size_mismatch_is_still_reported()
    {
        ProcessBitness.Require64Bit(IntPtr.Size);
        Assert.True(PooledHeap.RegisterType<WithPointer>("Tests.WithPointer64", sizeof(WithPointer), pointerSize: 8));
        Assert.Throws<InvalidOperationException>(() =>
            PooledHeap.RegisterType<WithPointer>("Tests.WithPointerMismatch", sizeof(WithPointer) + 4, pointerSize: 8));
    }

    private static void AssertSays32BitIsNotSupported(PlatformNotSupportedException e)
    {
        Assert.StartsWith("PooledGen supports 64-bit processes only", e.Message);
        Assert.Contains("this process is 32-bit (4-byte pointers)", e.Message);
        Assert.Contains("Run the application as a 64-bit process", e.Message);
    }
}
