// The layout corpus: real [Pooled] structs whose compile-time PooledSize is checked against the CLR's
// Unsafe.SizeOf<T>() (LayoutCorpusTests). Each struct is named for what it tests; most wedge the type under test
// between two bytes so that its alignment shows in the size as well as its size.
// This file is also compiled, without the generator, by PooledGen.Generators.Tests (LayoutCalculatorCorpusTests),
// so it must stand alone: explicit usings, nothing from the test project.
#pragma warning disable CS0169, CS0649, CS0282 // fields exist for their layout only; partial field order is defined by file order here
using System;
using System.Collections.Generic;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;
using PooledGen;

[Pooled]
public partial struct GlobalNamespaceStruct { public int A; public byte B; }

namespace PooledGen.Generated.Tests.Corpus
{
    // ---- primitives, bool, char ----
    [Pooled] public partial struct OneByte { public byte A; }
    [Pooled] public partial struct OneBool { public bool A; }
    [Pooled] public partial struct OneChar { public char A; }
    [Pooled] public partial struct ShortThenByte { public short A; public byte B; }
    [Pooled] public partial struct IntFloat { public int A; public float B; }
    [Pooled] public partial struct LongDouble { public long A; public double B; }
    [Pooled] public partial struct MixedPrimitives { public byte A; public int B; public byte C; public long D; public short E; public ulong F; public sbyte G; public ushort H; public uint I; }
    [Pooled] public partial struct CharsAndBools { public bool A; public char B; public bool C; public long D; public char E; }

    // ---- enums of each underlying size ----
    public enum ByteEnum : byte { A }
    public enum ShortEnum : short { A }
    public enum IntEnum { A }
    public enum LongEnum : long { A }
    public enum ULongEnum : ulong { A }
    [Pooled] public partial struct EnumsOfEachSize { public ByteEnum A; public LongEnum B; public ShortEnum C; public IntEnum D; public ByteEnum E; public ULongEnum F; }
    public enum SByteEnum : sbyte { A }
    public enum UShortEnum : ushort { A }
    public enum UIntEnum : uint { A }
    [Pooled] public partial struct UnsignedAndSignedEnums { public SByteEnum A; public UIntEnum B; public UShortEnum C; public SByteEnum D; }
    [Pooled] public partial struct MetadataEnums { public byte A; public DayOfWeek B; public byte C; public DateTimeKind D; public TypeCode E; }
    [Pooled] public partial struct ByteEnumOnly { public ByteEnum A; public ByteEnum B; public ByteEnum C; }

    // ---- pointers, function pointers, nint ----
    [Pooled] public unsafe partial struct Pointers { public byte A; public void* B; public byte C; public delegate*<int, void> D; public int* E; public nint F; public byte G; public nuint H; public delegate* unmanaged<void> I; }
    [Pooled] public partial struct NativeInts { public byte A; public nint B; public IntPtr C; public UIntPtr D; }

    // ---- fixed buffers ----
    [Pooled] public unsafe partial struct FixedInts { public byte A; public fixed int B[3]; }
    [Pooled] public unsafe partial struct FixedBytes17 { public fixed byte B[17]; }
    [Pooled] public unsafe partial struct FixedLongsThenByte { public fixed long A[2]; public byte B; }
    [Pooled] public unsafe partial struct FixedChars { public byte A; public fixed char B[5]; public short C; }
    [Pooled] public unsafe partial struct FixedDoublesAfterByte { public byte A; public fixed double B[1]; }

    // ---- nested structs, generic instantiations ----
    public struct LongByte { public long A; public byte B; }
    public struct ThreeBytes { public byte A, B, C; }
    public struct Pair<TA, TB> { public TA A; public TB B; }
    public struct Wrapper<T> { public byte Tag; public T Value; }
    [Pooled] public partial struct NestedStructs { public byte A; public LongByte B; public byte C; public ThreeBytes D; }
    [Pooled] public partial struct DeepNesting { public NestedStructs A; public int B; public Wrapper<NestedStructs> C; }
    [Pooled] public partial struct GenericNested { public Pair<byte, long> A; public byte B; public Pair<int, Pair<byte, short>> C; public Wrapper<ThreeBytes> D; }
    [Pooled] public partial struct GenericOfEnumAndPointer { public Wrapper<LongEnum> A; public Wrapper<nint> B; public Pair<ByteEnum, char> C; }

    // ---- StructLayout Pack ----
    [StructLayout(LayoutKind.Sequential, Pack = 1)] [Pooled] public partial struct Pack1 { public byte A; public long B; public short C; }
    [StructLayout(LayoutKind.Sequential, Pack = 2)] [Pooled] public partial struct Pack2 { public byte A; public long B; public byte C; }
    [StructLayout(LayoutKind.Sequential, Pack = 4)] [Pooled] public partial struct Pack4 { public byte A; public long B; public byte C; }
    [StructLayout(LayoutKind.Sequential, Pack = 8)] [Pooled] public partial struct Pack8WithInt128 { public byte A; public Int128 B; }
    [StructLayout(LayoutKind.Sequential, Pack = 16)] [Pooled] public partial struct Pack16 { public byte A; public long B; }
    [StructLayout(LayoutKind.Sequential, Pack = 1)] [Pooled] public partial struct Pack1Nested { public byte A; public LongByte B; }
    [StructLayout(LayoutKind.Sequential, Pack = 2)] public struct Packed2Inner { public byte A; public int B; }
    [Pooled] public partial struct ContainsPacked { public byte A; public Packed2Inner B; }

    [StructLayout(LayoutKind.Sequential, Pack = 1)] [Pooled] public partial struct Pack1WithVector128 { public byte A; public Vector128<int> B; public byte C; }
    [StructLayout(LayoutKind.Sequential, Pack = 4)] [Pooled] public partial struct Pack4WithDecimalAndGuid { public byte A; public decimal B; public byte C; public Guid D; }

    // ---- StructLayout Size ----
    [StructLayout(LayoutKind.Sequential, Size = 17)] [Pooled] public partial struct Size17OverLong { public long A; }
    [StructLayout(LayoutKind.Sequential, Size = 4)] [Pooled] public partial struct Size4UnderLong { public long A; }
    [StructLayout(LayoutKind.Sequential, Size = 64)] [Pooled] public partial struct Size64 { public int A; }
    [StructLayout(LayoutKind.Sequential, Size = 3)] [Pooled] public partial struct Size3Empty { }
    [StructLayout(LayoutKind.Sequential, Size = 12)] [Pooled] public partial struct Size12OverLongByte { public long A; public byte B; }
    [StructLayout(LayoutKind.Sequential, Size = 17)] public struct Size17Inner { public long A; }
    [Pooled] public partial struct ContainsSize17 { public Size17Inner A; public byte B; }
    [StructLayout(LayoutKind.Sequential, Pack = 1, Size = 5)] [Pooled] public partial struct Pack1Size5 { public int A; }
    [Pooled] public partial struct ContainsPack1Size5 { public Pack1Size5 A; public Pack1Size5 B; public long C; }

    // ---- LayoutKind.Explicit ----
    [StructLayout(LayoutKind.Explicit)] [Pooled] public partial struct ExplicitUnion { [FieldOffset(0)] public long A; [FieldOffset(0)] public int B; [FieldOffset(4)] public byte C; [FieldOffset(0)] public double D; }
    [StructLayout(LayoutKind.Explicit)] [Pooled] public partial struct ExplicitMisaligned { [FieldOffset(0)] public byte A; [FieldOffset(1)] public int B; }
    [StructLayout(LayoutKind.Explicit, Pack = 1)] [Pooled] public partial struct ExplicitPack1 { [FieldOffset(0)] public long A; [FieldOffset(8)] public byte B; }
    [StructLayout(LayoutKind.Explicit, Size = 3)] [Pooled] public partial struct ExplicitSize3 { [FieldOffset(0)] public byte A; }
    [StructLayout(LayoutKind.Explicit)] [Pooled] public partial struct ExplicitWithStruct { [FieldOffset(0)] public byte A; [FieldOffset(2)] public LongByte B; [FieldOffset(20)] public ThreeBytes C; }
    [StructLayout(LayoutKind.Explicit)] [Pooled] public partial struct ExplicitWithInt128AndEnum { [FieldOffset(0)] public ByteEnum A; [FieldOffset(16)] public Int128 B; [FieldOffset(1)] public ShortEnum C; }
    [StructLayout(LayoutKind.Explicit)] public struct ExplicitInner { [FieldOffset(0)] public int A; [FieldOffset(1)] public byte B; }
    [Pooled] public partial struct ContainsExplicit { public byte A; public ExplicitInner B; public byte C; }
    [StructLayout(LayoutKind.Explicit)] [Pooled] public partial struct ExplicitWithAutoStruct { [FieldOffset(0)] public AutoIntByte A; [FieldOffset(3)] public byte B; }
    [StructLayout(LayoutKind.Explicit)] [Pooled] public partial struct ExplicitGap { [FieldOffset(40)] public short A; }

    // ---- LayoutKind.Auto ----
    [StructLayout(LayoutKind.Auto)] [Pooled] public partial struct AutoPrimitives { public byte A; public long B; public byte C; public short D; }
    [StructLayout(LayoutKind.Auto)] [Pooled] public partial struct AutoWithStructs { public byte A; public ThreeBytes B; public long C; public byte D; }
    [StructLayout(LayoutKind.Auto)] [Pooled] public partial struct AutoWithLongByte { public byte A; public LongByte B; public int C; }
    [StructLayout(LayoutKind.Auto)] public struct AutoThreeBytes3 { public ThreeBytes A, B, C; }
    [Pooled] public partial struct ContainsAutoThreeBytes3 { public byte A; public AutoThreeBytes3 B; public byte C; }
    [StructLayout(LayoutKind.Auto)] public struct AutoNineBytes { public byte A, B, C, D, E, F, G, H, I; }
    [Pooled] public partial struct ContainsAutoNineBytes { public byte A; public AutoNineBytes B; }
    [StructLayout(LayoutKind.Auto)] public struct AutoShortByte { public short A; public byte B; }
    [Pooled] public partial struct ContainsAutoShortByte { public byte A; public AutoShortByte B; public byte C; }
    [StructLayout(LayoutKind.Auto)] public struct AutoIntByte { public int A; public byte B; }
    [Pooled] public partial struct ContainsAutoIntByte { public byte A; public AutoIntByte B; public byte C; }
    [StructLayout(LayoutKind.Auto)] [Pooled] public partial struct AutoWithInt128AndGuid { public byte A; public ThreeBytes B; public Int128 C; public byte D; public Guid E; }
    [StructLayout(LayoutKind.Auto)] [Pooled] public partial struct AutoEmpty { }
    [StructLayout(LayoutKind.Auto, Size = 20)] [Pooled] public partial struct AutoIgnoresSize { public int A; }
    [StructLayout(LayoutKind.Auto, Pack = 1)] [Pooled] public partial struct AutoIgnoresPack { public byte A; public long B; }
    [StructLayout(LayoutKind.Auto)] [Pooled] public partial struct AutoWithEnumsAndPointers { public ByteEnum A; public unsafe void* B; public ShortEnum C; public bool D; public char E; }
    [StructLayout(LayoutKind.Auto)] public struct AutoGeneric<T> { public byte A; public T B; public byte C; }
    [Pooled] public partial struct ContainsAutoGeneric { public AutoGeneric<long> A; public AutoGeneric<ThreeBytes> B; public byte C; }
    [Pooled] public partial struct ContainsAutoGenericInt128 { public byte A; public AutoGeneric<Int128> B; public AutoGeneric<Guid> C; }
    [StructLayout(LayoutKind.Auto)] public struct AutoTwoThreeBytes { public ThreeBytes A, B; }
    [Pooled] public partial struct ContainsAutoTwoThreeBytes { public byte A; public AutoTwoThreeBytes B; public byte C; }
    [StructLayout(LayoutKind.Auto)] [Pooled] public partial struct AutoWithHalfAndBool { public bool A; public Half B; public bool C; public char D; }
    [StructLayout(LayoutKind.Auto)] [Pooled] public partial struct AutoInsideAuto { public byte A; public AutoIntByte B; public AutoShortByte C; public short D; public AutoPrimitivesInner E; }
    [StructLayout(LayoutKind.Auto)] public struct AutoPrimitivesInner { public byte A; public long B; }
    [StructLayout(LayoutKind.Auto)] [Pooled] public partial struct AutoWithFixedBuffer { public byte A; public unsafe fixed short B[3]; public int C; }

    // ---- empty, record, readonly ----
    [Pooled] public partial struct Empty { }
    [Pooled] public partial record struct EmptyRecord;
    [Pooled] public partial record struct PositionalRecord(byte A, long B, byte C);
    [Pooled] public readonly partial record struct ReadOnlyRecord(int A, short B);
    [Pooled] public readonly partial struct ReadOnlyStruct { public readonly byte A; public readonly double B; }
    [Pooled] public partial struct PrimaryConstructorCapture(byte x) { public long A; public byte B; public readonly byte X => x; }
    [Pooled] public partial struct PrimaryConstructorNoCapture(byte x) { public long A = x; public byte B; }
    [Pooled] public partial struct AutoProperties { public byte A { get; set; } public long B { get; init; } public byte C; public static int Ignored; public const int AlsoIgnored = 1; }

    // ---- BCL value types whose fields are hidden in reference assemblies ----
    [Pooled] public partial struct HasDateTime { public byte A; public DateTime B; public byte C; }
    [Pooled] public partial struct HasTimeSpan { public byte A; public TimeSpan B; public byte C; }
    [Pooled] public partial struct HasDateTimeOffset { public byte A; public DateTimeOffset B; public byte C; }
    [Pooled] public partial struct HasGuid { public byte A; public Guid B; public byte C; }
    [Pooled] public partial struct HasDecimal { public byte A; public decimal B; public byte C; }
    [Pooled] public partial struct HasHalf { public byte A; public Half B; public byte C; }
    [Pooled] public partial struct HasInt128 { public byte A; public Int128 B; public byte C; }
    [Pooled] public partial struct HasUInt128 { public byte A; public UInt128 B; }
    [Pooled] public partial struct HasComplex { public byte A; public Complex B; public byte C; }
    [Pooled] public partial struct HasVectors { public byte A; public Vector2 B; public byte C; public Vector3 D; public byte E; public Vector4 F; public byte G; }
    [Pooled] public partial struct HasQuaternionPlane { public byte A; public Quaternion B; public byte C; public Plane D; }
    [Pooled] public partial struct HasMatrices { public byte A; public Matrix3x2 B; public byte C; public Matrix4x4 D; }
    [Pooled] public partial struct HasVector64 { public byte A; public Vector64<float> B; public byte C; }
    [Pooled] public partial struct HasVector128 { public byte A; public Vector128<float> B; public byte C; }
    [Pooled] public partial struct HasVector256 { public byte A; public Vector256<double> B; public byte C; }
    [Pooled] public partial struct HasVector512 { public byte A; public Vector512<byte> B; public byte C; }
    [Pooled] public partial struct HasDateOnlyTimeOnly { public byte A; public DateOnly B; public byte C; public TimeOnly D; }
    [Pooled] public partial struct HasRune { public byte A; public Rune B; public byte C; }
    [Pooled] public partial struct HasIndexRange { public byte A; public Index B; public byte C; public Range D; public byte E; }
    [Pooled] public partial struct HasKeyValuePair { public byte A; public KeyValuePair<byte, long> B; public byte C; public KeyValuePair<DateTime, byte> D; }
    [Pooled] public partial struct HasNullables { public byte A; public int? B; public byte C; public Guid? D; public byte E; public Int128? F; public long? G; }
    [Pooled] public partial struct HasValueTuples { public byte A; public (byte, long, byte) B; public byte C; public ValueTuple<byte, int> D; public byte E; public ValueTuple<byte> F; public ValueTuple G; }
    [Pooled] public partial struct HasLongValueTuple { public byte A; public (byte, long, byte, short, byte, int, byte, byte, long) B; }
    [Pooled] public partial struct HasNestedTupleInAuto { public (ThreeBytes, int, (byte, short)) A; public byte B; }
    [Pooled] public partial struct HasNFloatAndGCHandle { public byte A; public NFloat B; public byte C; public GCHandle D; }
    [Pooled] public partial struct HasOtherBclStructs { public byte A; public HashCode B; public byte C; public ConsoleKeyInfo D; public byte E; public System.Threading.SpinLock F; public byte G; public System.Buffers.StandardFormat H; public byte I; }
    [Pooled] public partial struct HasDrawing { public byte A; public System.Drawing.Point B; public byte C; public System.Drawing.RectangleF D; public System.Drawing.Size E; public System.Drawing.PointF F; public System.Drawing.SizeF G; public System.Drawing.Rectangle H; }

    // ---- sizes around the size-class boundaries ----
    [Pooled] public partial struct Bytes1 { public byte A; }
    [Pooled] public partial struct Bytes16 { public long A; public long B; }
    [Pooled] public unsafe partial struct Bytes17 { public fixed byte A[17]; }
    [Pooled] public unsafe partial struct Bytes512 { public fixed byte A[512]; }
    [Pooled] public unsafe partial struct Bytes513 { public fixed byte A[513]; }
    [Pooled] public unsafe partial struct Bytes4096 { public fixed long A[512]; }

    // ---- inline arrays ----
    [InlineArray(4)] public struct FourInts { private int _element; }
    [InlineArray(3)] public struct ThreeThreeBytes { private ThreeBytes _element; }
    [InlineArray(3)] public struct ThreeSize17 { private Size17Inner _element; }
    [Pooled] public partial struct HasInlineArrayOfPaddedElements { public byte A; public ThreeSize17 B; }
    [InlineArray(2), StructLayout(LayoutKind.Sequential, Pack = 1)] public struct TwoPackedLongBytes { private LongByte _element; }
    [InlineArray(3), StructLayout(LayoutKind.Auto)] public struct AutoThreeInts { private int _element; }
    [InlineArray(3), StructLayout(LayoutKind.Auto)] public struct AutoThreeThreeBytes { private ThreeBytes _element; }
    [InlineArray(2), StructLayout(LayoutKind.Auto)] public struct AutoTwoLongBytes { private LongByte _element; }
    [Pooled] public partial struct HasPackedAndAutoInlineArrays { public byte A; public TwoPackedLongBytes B; public byte C; public AutoThreeInts D; public byte E; public AutoThreeThreeBytes F; public byte G; public AutoTwoLongBytes H; }
    [Pooled] public partial struct HasInlineArrays { public byte A; public FourInts B; public byte C; public ThreeThreeBytes D; }

    // ---- nested declarations, any accessibility ----
    public partial class OuterClass
    {
        [Pooled] internal partial struct NestedInClass { public short A; public long B; }

        public static partial class InnerStatic
        {
            [Pooled] private partial struct PrivateDeep { public byte A; public ThreeBytes B; }
        }
    }

    public partial struct OuterStruct
    {
        public int Unrelated;

        [Pooled] public partial struct NestedInStruct { public Guid A; public byte B; }
    }

    public readonly partial record struct OuterRecordStruct(int X)
    {
        [Pooled] internal partial struct NestedInRecordStruct { public char A; public double B; }
    }

    public partial record OuterRecord
    {
        [Pooled] protected internal partial struct NestedInRecord { public byte A; }
    }

    // ---- sizes the generator must not claim to know (PooledSize == -1, PG0006) ----
    [Pooled] public partial struct HasHardwareVector { public byte A; public Vector<float> B; }
    [Pooled] public partial struct HasCLong { public byte A; public CLong B; }
}
