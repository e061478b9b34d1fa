using Microsoft.CodeAnalysis.Testing;
using PooledGen.Generators.Diagnostics;
using static PooledGen.Generators.Tests.Analyzers.PooledAnalyzerTest;

namespace PooledGen.Generators.Tests.Analyzers;

public class PG0003NotPartialTests
{
    [Fact]
    public Task Struct_without_partial_is_reported_on_its_name() =>
        VerifyAsync(
            """
            using PooledGen;
            [Pooled] public struct {|#0:Plain|} { public long A, B; }
            """,
            new DiagnosticResult(DiagnosticDescriptors.NotPartial).WithLocation(0).WithArguments("Plain", "it"));

    [Fact]
    public Task Containing_type_without_partial_is_named() =>
        VerifyAsync(
            """
            using PooledGen;
            public class Outer
            {
                [Pooled] public partial struct {|#0:Inner|} { public long A, B; }
            }
            """,
            new DiagnosticResult(DiagnosticDescriptors.NotPartial).WithLocation(0).WithArguments("Outer.Inner", "its containing type 'Outer'"));

    [Fact]
    public Task Struct_and_containing_types_without_partial_are_all_named_outermost_first() =>
        VerifyAsync(
            """
            using PooledGen;
            public class Outer
            {
                public partial struct Middle
                {
                    public struct Inner
                    {
                        [Pooled] public struct {|#0:Leaf|} { public long A, B; }
                    }
                }
            }
            """,
            new DiagnosticResult(DiagnosticDescriptors.NotPartial).WithLocation(0)
                .WithArguments("Outer.Middle.Inner.Leaf", "it and its containing types 'Outer' and 'Inner'"));

    [Fact]
    public Task Partial_struct_in_partial_types_is_fine() =>
        VerifyAsync("""
            using PooledGen;
            namespace App;
            public static partial class Outer
            {
                [Pooled] public partial struct Inner { public long A, B; }
            }
            [Pooled] public readonly partial record struct Point(long X, long Y);
            """);

    [Fact]
    public Task Fix_adds_partial_to_a_struct() =>
        VerifyMakePartialAsync(
            """
            using PooledGen;
            [Pooled]
            public readonly struct {|PG0003:Plain|} { public readonly long A, B; }
            """,
            """
            using PooledGen;
            [Pooled]
            public readonly partial struct Plain { public readonly long A, B; }
            """);

    [Fact]
    public Task Fix_adds_partial_to_a_struct_without_modifiers_keeping_indentation() =>
        VerifyMakePartialAsync(
            """
            using PooledGen;
            namespace App
            {
                [Pooled]
                struct {|PG0003:Plain|} { public long A, B; }
            }
            """,
            """
            using PooledGen;
            namespace App
            {
                [Pooled]
                partial struct Plain { public long A, B; }
            }
            """);

    [Fact]
    public Task Fix_adds_partial_to_every_containing_type() =>
        VerifyMakePartialAsync(
            """
            using PooledGen;
            public static class Outer
            {
                internal partial struct Middle
                {
                    /// <summary>Kept.</summary>
                    record struct Inner
                    {
                        [Pooled] public struct {|PG0003:Leaf|} { public long A, B; }
                    }
                }
            }
            """,
            """
            using PooledGen;
            public static partial class Outer
            {
                internal partial struct Middle
                {
                    /// <summary>Kept.</summary>
                    partial record struct Inner
                    {
                        [Pooled] public partial struct Leaf { public long A, B; }
                    }
                }
            }
            """);

    [Fact]
    public Task Fix_all_marks_a_shared_containing_type_once() =>
        VerifyMakePartialAsync(
            """
            using PooledGen;
            public class Outer
            {
                [Pooled] public partial struct {|PG0003:First|} { public long A, B; }
                [Pooled] public struct {|PG0003:Second|} { public long A, B; }
            }
            [Pooled] public struct {|PG0003:Third|} { public long A, B; }
            """,
            """
            using PooledGen;
            public partial class Outer
            {
                [Pooled] public partial struct First { public long A, B; }
                [Pooled] public partial struct Second { public long A, B; }
            }
            [Pooled] public partial struct Third { public long A, B; }
            """);
}
