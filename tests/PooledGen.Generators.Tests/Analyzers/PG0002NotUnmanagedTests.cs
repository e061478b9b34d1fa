using Microsoft.CodeAnalysis.Testing;
using PooledGen.Generators.Diagnostics;
using static PooledGen.Generators.Tests.Analyzers.PooledAnalyzerTest;

namespace PooledGen.Generators.Tests.Analyzers;

public class PG0002NotUnmanagedTests
{
    [Fact]
    public Task Reference_field_is_reported_on_the_field() =>
        VerifyAsync(
            """
            using PooledGen;
            [Pooled] public partial struct Node { public long Id; public object {|#0:Payload|}; }
            """,
            new DiagnosticResult(DiagnosticDescriptors.NotUnmanaged).WithLocation(0).WithArguments("Node", "Payload", "object"));

    [Fact]
    public Task Reference_inside_a_nested_struct_is_named_by_its_field_path() =>
        VerifyAsync(
            """
            using PooledGen;
            public struct Holder { public int Count; public string O; }
            [Pooled] public partial struct Outer { public long Id; public Holder {|#0:Inner|}; }
            """,
            new DiagnosticResult(DiagnosticDescriptors.NotUnmanaged).WithLocation(0).WithArguments("Outer", "Inner.O", "string"));

    [Fact]
    public Task Auto_property_with_a_reference_is_reported_on_the_property() =>
        VerifyAsync("""
            using PooledGen;
            [Pooled] public partial struct Named { public int Id; public string {|PG0002:Name|} { get; set; } }
            """);

    [Fact]
    public Task Array_field_is_a_reference() =>
        VerifyAsync("""
            using PooledGen;
            [Pooled] public partial struct Buffer { public int[] {|PG0002:Items|}; }
            """);

    [Fact]
    public Task Pointers_and_unmanaged_generic_instantiations_are_fine() =>
        VerifyAsync("""
            using PooledGen;
            public struct Box<T> where T : unmanaged { public T Value; }
            [Pooled] public unsafe partial struct Fine { public Box<long> A; public int* P; public nint Q; public Box<int> B; }
            """);
}
