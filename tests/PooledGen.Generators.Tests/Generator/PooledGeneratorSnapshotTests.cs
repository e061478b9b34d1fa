namespace PooledGen.Generators.Tests.Generator;

/// <summary>What the generator writes for representative structs, compared with the checked-in snapshots.</summary>
public class PooledGeneratorSnapshotTests
{
    private static void Verify(string source, [System.Runtime.CompilerServices.CallerMemberName] string testMethod = "") =>
        SnapshotVerifier.Verify(GeneratorTestHelpers.GenerateSingle("using PooledGen;\n" + source), nameof(PooledGeneratorSnapshotTests), testMethod);

    [Fact]
    public void Struct_in_a_namespace() => Verify("""
        namespace Game.Physics
        {
            [Pooled]
            public partial struct Particle { public System.Numerics.Vector3 Position; public System.Numerics.Vector3 Velocity; public float Life; }
        }
        """);

    [Fact]
    public void Struct_in_the_global_namespace() => Verify("""
        [Pooled]
        internal partial struct Point { public int X, Y; }
        """);

    [Fact]
    public void Struct_in_a_file_scoped_namespace() => Verify("""
        namespace Game.Entities;

        [Pooled]
        public partial struct Health { public float Current, Max; }
        """);

    [Fact]
    public void Struct_nested_in_classes_records_and_structs() => Verify("""
        namespace Game
        {
            public static partial class World
            {
                internal partial record Systems
                {
                    public readonly partial record struct Frame(int Number)
                    {
                        public partial struct Cells
                        {
                            [Pooled]
                            private partial struct Cell { public byte Kind; public short Height; }
                        }
                    }
                }
            }
        }
        """);

    [Fact]
    public void Readonly_record_struct() => Verify("""
        namespace Game
        {
            [Pooled]
            public readonly partial record struct Hit(int Target, float Damage, bool Critical);
        }
        """);

    [Fact]
    public void Unsafe_struct_with_a_fixed_buffer() => Verify("""
        namespace Game
        {
            [Pooled]
            public unsafe partial struct Name { public fixed char Chars[15]; public byte Length; }
        }
        """);

    [Fact]
    public void Struct_over_the_small_object_threshold() => Verify("""
        namespace Game
        {
            [Pooled]
            public unsafe partial struct Chunk { public fixed byte Data[513]; }
        }
        """);

    [Fact]
    public void Struct_whose_size_is_not_known_at_compile_time() => Verify("""
        namespace Game
        {
            [Pooled]
            public partial struct Lanes { public System.Numerics.Vector<float> Values; public int Count; }
        }
        """);

    [Fact]
    public void Struct_and_namespace_named_with_keywords() => Verify("""
        namespace @event.@struct
        {
            public partial class @class
            {
                [Pooled]
                public partial struct @record { public int @int; }
            }
        }
        """);
}
