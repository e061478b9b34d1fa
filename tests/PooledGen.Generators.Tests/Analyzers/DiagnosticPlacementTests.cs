using Microsoft.CodeAnalysis.Testing;
using PooledGen.Generators.Diagnostics;
using static PooledGen.Generators.Tests.Analyzers.PooledAnalyzerTest;

namespace PooledGen.Generators.Tests.Analyzers;

/// <summary>Where diagnostics land and how they combine: a user must be able to act on, and suppress, each one.</summary>
public class DiagnosticPlacementTests
{
    [Fact]
    public Task Not_partial_and_holding_a_reference_are_both_reported() =>
        VerifyAsync(
            """
            using PooledGen;
            public struct Holder { public object O; }
            [Pooled] public struct {|#0:Both|} { public int X; public Holder {|#1:Holder|}; }
            """,
            new DiagnosticResult(DiagnosticDescriptors.NotPartial).WithLocation(0).WithArguments("Both", "it"),
            new DiagnosticResult(DiagnosticDescriptors.NotUnmanaged).WithLocation(1).WithArguments("Both", "Holder.O", "object"));

    [Fact]
    public Task Not_partial_does_not_hide_the_size_diagnostics() =>
        VerifyAsync("""
            using PooledGen;
            [Pooled] public unsafe struct {|PG0003:{|PG0001:Big|}|} { public fixed byte Data[600]; }
            """);

    [Fact]
    public Task Reference_in_a_positional_record_is_reported_on_the_parameter() =>
        VerifyAsync("""
            using PooledGen;
            [Pooled] public partial record struct Entry(int Id, string {|PG0002:Name|});
            """);

    [Fact]
    public Task Reference_field_in_another_part_is_reported_where_it_is_declared() =>
        VerifyAsync("""
            using PooledGen;
            [Pooled] public partial struct Parted { public int Id; }
            public partial struct Parted { public string {|PG0002:Name|}; }
            """);

    [Fact]
    public Task Pragma_warning_disable_suppresses_PG0001() =>
        VerifyAsync("""
            using PooledGen;
            #pragma warning disable PG0001 // deliberately large: a staging buffer
            [Pooled] public unsafe partial struct Staging { public fixed byte Data[4096]; }
            #pragma warning restore PG0001
            """);

    [Fact]
    public Task Valid_structs_get_nothing() =>
        VerifyAsync("""
            using System.Numerics;
            using PooledGen;
            namespace Game;
            [Pooled] public partial struct Particle { public Vector3 Position; public Vector3 Velocity; public float Life; }
            [Pooled] public readonly partial struct Id128 { public readonly long Hi, Lo; }
            [Pooled] public unsafe partial struct Name { public fixed char Chars[31]; public short Length; }
            public static partial class Nested { [Pooled] internal partial struct Row { public double A, B, C; } }
            """);
}
