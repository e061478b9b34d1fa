using Microsoft.CodeAnalysis.Testing;
using PooledGen.Generators.Diagnostics;
using static PooledGen.Generators.Tests.Analyzers.PooledAnalyzerTest;

namespace PooledGen.Generators.Tests.Analyzers;

public class PG0001TooLargeTests
{
    internal const string LargeObject = ": it is served by the large-object path, not pooled";

    [Fact]
    public Task Struct_of_513_bytes_is_over_the_default_threshold() =>
        VerifyAsync(
            """
            using PooledGen;
            [Pooled] public unsafe partial struct {|#0:Big|} { public fixed byte Data[513]; }
            """,
            new DiagnosticResult(DiagnosticDescriptors.TooLarge).WithLocation(0).WithArguments("Big", 513, 512, LargeObject));

    [Fact]
    public Task Struct_of_exactly_512_bytes_is_not_over() =>
        VerifyAsync("""
            using PooledGen;
            [Pooled] public unsafe partial struct Edge { public fixed long Data[64]; }
            [Pooled] public unsafe partial struct EdgeBytes { public fixed byte Data[512]; }
            """);

    [Fact]
    public Task Size_counts_nested_structs_and_padding() =>
        VerifyAsync(
            """
            using PooledGen;
            public unsafe struct Chunk { public fixed long Words[32]; }
            // 256 + 256 + the byte, padded to 8: 520 bytes.
            [Pooled] public partial struct {|#0:Pair|} { public Chunk A; public Chunk B; public byte Tag; }
            """,
            new DiagnosticResult(DiagnosticDescriptors.TooLarge).WithLocation(0).WithArguments("Pair", 520, 512, LargeObject));

    [Fact]
    public Task Nested_struct_is_named_with_its_containing_type() =>
        VerifyAsync(
            """
            using PooledGen;
            public partial class Outer
            {
                [Pooled] public unsafe partial struct {|#0:Inner|} { public fixed int Data[200]; }
            }
            """,
            new DiagnosticResult(DiagnosticDescriptors.TooLarge).WithLocation(0).WithArguments("Outer.Inner", 800, 512, LargeObject));

    [Fact]
    public Task Diagnostic_points_at_the_declaration_that_carries_the_attribute() =>
        VerifyAsync("""
            using PooledGen;
            public unsafe partial struct Split { public fixed byte Data[600]; }
            [Pooled] public partial struct {|PG0001:Split|} { }
            """);
}
