using Microsoft.CodeAnalysis.Testing;
using PooledGen.Generators.Diagnostics;
using static PooledGen.Generators.Tests.Analyzers.PooledAnalyzerTest;

namespace PooledGen.Generators.Tests.Analyzers;

public class PG0006SizeUnknownTests
{
    [Fact]
    public Task Struct_holding_a_platform_dependent_bcl_struct_is_reported() =>
        VerifyAsync(
            """
            using PooledGen;
            using System.Runtime.InteropServices;
            [Pooled] public partial struct {|#0:Native|} { public int Id; public CLong Handle; }
            """,
            new DiagnosticResult(DiagnosticDescriptors.SizeUnknown).WithLocation(0).WithArguments("Native", "System.Runtime.InteropServices.CLong"));

    [Fact]
    public Task Opaque_struct_inside_a_nested_struct_is_reported() =>
        VerifyAsync("""
            using PooledGen;
            using System.Numerics;
            public struct Lane { public Vector<float> Values; }
            [Pooled] public partial struct {|PG0006:Simd|} { public Lane A; }
            """);

    [Fact]
    public Task Bcl_structs_with_known_sizes_are_not_reported() =>
        VerifyAsync("""
            using System;
            using System.Numerics;
            using PooledGen;
            [Pooled] public partial struct Stamp { public DateTime At; public Guid Id; public Vector3 Where; public decimal Amount; }
            """);

    [Fact]
    public Task Bcl_struct_outside_the_known_table_is_unknown_rather_than_guessed() =>
        VerifyAsync(
            """
            using PooledGen;
            [Pooled] public partial struct {|#0:Guarded|} { public long Value; public System.Runtime.InteropServices.CLong Native; }
            """,
            new DiagnosticResult(DiagnosticDescriptors.SizeUnknown).WithLocation(0).WithArguments("Guarded", "System.Runtime.InteropServices.CLong"));

    [Fact]
    public Task Unknown_size_gets_no_size_diagnostic_even_when_obviously_large() =>
        VerifyAsync("""
            using PooledGen;
            using System.Numerics;
            [Pooled] public unsafe partial struct {|PG0006:Wide|} { public fixed byte Data[600]; public Vector<float> Lane; }
            """);
}
