using System.Runtime.CompilerServices;
using PooledGen.Generated.Tests.Corpus;
using PooledGen.Generated.Tests.FileScoped;

namespace PooledGen.Generated.Tests;

/// <summary>The generated Alloc/Free members used as a user would: allocate, write through Value, read back, free.</summary>
public class AllocationTests
{
    [Fact]
    public void One_byte_struct_round_trips_through_the_generated_members()
    {
        var handle = Bytes1.Alloc();
        Assert.Equal(0, handle.Value.A);
        handle.Value.A = 0xAB;
        Assert.Equal(0xAB, handle.Value.A);
        Bytes1.Free(handle);
        Assert.Equal((1, 16), (Bytes1.PooledSize, Bytes1.PooledBlockSize));
    }

    [Fact]
    public void Sixteen_byte_struct_fills_its_block_exactly()
    {
        var handle = Bytes16.Alloc(new Bytes16 { A = long.MinValue, B = long.MaxValue });
        Assert.Equal(long.MinValue, handle.Value.A);
        Assert.Equal(long.MaxValue, handle.Value.B);
        handle.Value.B = 42;
        Assert.Equal(42, handle.Value.B);
        Bytes16.Free(handle);
        Assert.Equal((16, 16), (Bytes16.PooledSize, Bytes16.PooledBlockSize));
    }

    [Fact]
    public void Seventeen_byte_struct_takes_the_32_byte_class_and_keeps_every_byte() =>
        RoundTripFixedBytes<Bytes17>(17, 32);

    [Fact]
    public void Five_hundred_twelve_byte_struct_is_the_largest_pooled_class() =>
        RoundTripFixedBytes<Bytes512>(512, 512);

    [Fact]
    public void Five_hundred_thirteen_byte_struct_goes_to_the_large_object_path_and_still_works() =>
        RoundTripFixedBytes<Bytes513>(513, 0);

    [Fact]
    public void Generic_code_allocates_any_pooled_type_through_IPooled()
    {
        Assert.Equal(17, AllocWriteReadFree<Bytes17>());
        Assert.Equal(Unsafe.SizeOf<HasVector256>(), AllocWriteReadFree<HasVector256>());
        Assert.Equal(Unsafe.SizeOf<InFileScopedNamespace>(), AllocWriteReadFree<InFileScopedNamespace>());
        Assert.Equal(Unsafe.SizeOf<GlobalNamespaceStruct>(), AllocWriteReadFree<GlobalNamespaceStruct>());
    }

    [Fact]
    public void Struct_of_unknown_compile_time_size_allocates_with_the_runtime_size()
    {
        Assert.Equal(-1, HasHardwareVector.PooledSize);
        var handle = HasHardwareVector.Alloc();
        handle.Value.A = 7;
        handle.Value.B = new System.Numerics.Vector<float>(1.5f);
        Assert.Equal(7, handle.Value.A);
        Assert.Equal(1.5f, handle.Value.B[System.Numerics.Vector<float>.Count - 1]);
        HasHardwareVector.Free(handle);
    }

    [Fact]
    public void Record_and_readonly_structs_copy_in_their_value()
    {
        var record = PositionalRecord.Alloc(new PositionalRecord(1, 2, 3));
        Assert.Equal(new PositionalRecord(1, 2, 3), record.Value);
        PositionalRecord.Free(record);

        var readOnly = ReadOnlyRecord.Alloc(new ReadOnlyRecord(5, 6));
        Assert.Equal(new ReadOnlyRecord(5, 6), readOnly.Value);
        ReadOnlyRecord.Free(readOnly);
    }

    [Fact]
    public void Freeing_the_null_handle_does_nothing() => Bytes16.Free(default);

    // Writes a distinct value into every byte of the struct, reads each back, then frees.
    private static unsafe void RoundTripFixedBytes<T>(int expectedSize, int expectedBlock)
        where T : unmanaged, IPooled<T>
    {
        Assert.Equal(expectedSize, Unsafe.SizeOf<T>());
        Assert.Equal(expectedSize, (int)typeof(T).GetField("PooledSize")!.GetRawConstantValue()!);
        Assert.Equal(expectedBlock, (int)typeof(T).GetField("PooledBlockSize")!.GetRawConstantValue()!);

        var handle = T.Alloc();
        var bytes = (byte*)Unsafe.AsPointer(ref handle.Value);
        for (var i = 0; i < expectedSize; i++)
        {
            Assert.Equal(0, bytes[i]);
            bytes[i] = (byte)(i * 7 + 1);
        }

        for (var i = 0; i < expectedSize; i++)
        {
            Assert.Equal((byte)(i * 7 + 1), bytes[i]);
        }

        T.Free(handle);
    }

    private static unsafe int AllocWriteReadFree<T>()
        where T : unmanaged, IPooled<T>
    {
        var handle = T.Alloc();
        Assert.False(handle.IsNull);
        var size = Unsafe.SizeOf<T>();
        new Span<byte>(handle.Pointer, size).Fill(0x5A);
        var copy = T.Alloc(in handle.Value);
        Assert.True(new Span<byte>(copy.Pointer, size).SequenceEqual(new Span<byte>(handle.Pointer, size)));
        T.Free(copy);
        T.Free(handle);
        return size;
    }
}
