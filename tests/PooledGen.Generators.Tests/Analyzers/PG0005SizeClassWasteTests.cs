using Microsoft.CodeAnalysis.Testing;
using PooledGen.Generators.Diagnostics;
using static PooledGen.Generators.Tests.Analyzers.PooledAnalyzerTest;

namespace PooledGen.Generators.Tests.Analyzers;

public class PG0005SizeClassWasteTests
{
    [Fact]
    public Task Padding_that_costs_a_size_class_names_the_better_order() =>
        VerifyAsync(
            """
            using PooledGen;
            // Byte@0, Long@8, Int@16: 24 bytes in the 32-byte class; Long, Int, Byte is 16.
            [Pooled] public partial struct {|#0:Padded|} { public byte Byte; public long Long; public int Int; }
            """,
            new DiagnosticResult(DiagnosticDescriptors.SizeClassWaste).WithLocation(0)
                .WithArguments("Padded", 24, 32, 8, "; ordering the fields Long, Int, Byte makes it 16 bytes, in the 16-byte class"));

    [Fact]
    public Task Struct_using_less_than_half_its_block_is_reported_without_an_order() =>
        VerifyAsync(
            """
            using PooledGen;
            [Pooled] public partial struct {|#0:Tiny|} { public int Id; public short Kind; }
            """,
            new DiagnosticResult(DiagnosticDescriptors.SizeClassWaste).WithLocation(0)
                .WithArguments("Tiny", 8, 16, 8, "; a struct this small leaves at least half of its block unused"));

    [Fact]
    public Task Waste_that_reordering_cannot_remove_is_not_reported() =>
        VerifyAsync("""
            using PooledGen;
            [Pooled] public partial struct ThreeLongs { public long A, B, C; }
            [Pooled] public partial struct Twelve { public int A, B, C; }
            [Pooled] public partial struct Exact { public long A, B; }
            // A@0, B..E@4..20, F@20: 24 bytes; reordered 18, padded to 20: smaller, but still the 32-byte class.
            [Pooled] public partial struct SameClass { public byte A; public int B, C, D, E; public byte F; }
            """);

    [Fact]
    public Task Explicit_layout_gets_no_order() =>
        VerifyAsync("""
            using PooledGen;
            using System.Runtime.InteropServices;
            [Pooled, StructLayout(LayoutKind.Explicit)]
            public partial struct Overlay { [FieldOffset(0)] public byte A; [FieldOffset(8)] public long B; [FieldOffset(16)] public int C; }
            """);

    [Fact]
    public Task Positional_record_struct_gets_no_order_because_that_would_change_its_constructor() =>
        VerifyAsync("""
            using PooledGen;
            [Pooled] public partial record struct Reading(byte Channel, long Ticks, int Value);
            """);

    [Fact]
    public Task Fields_spread_over_two_declarations_get_no_order() =>
        VerifyAsync("""
            using PooledGen;
            [Pooled] public partial struct Spread { public byte A; public long B; }
            public partial struct Spread { public int C; }
            """);

    [Fact]
    public Task Severity_none_in_editorconfig_silences_it() =>
        VerifyWithConfigAsync(
            """
            using PooledGen;
            [Pooled] public partial struct Padded { public byte Byte; public long Long; public int Int; }
            [Pooled] public partial struct Tiny { public int Id; }
            """,
            "dotnet_diagnostic.PG0005.severity = none");

    [Fact]
    public Task Severity_warning_in_editorconfig_raises_it() =>
        VerifyWithConfigAsync(
            """
            using PooledGen;
            [Pooled] public partial struct {|#0:Tiny|} { public int Id; }
            """,
            "dotnet_diagnostic.PG0005.severity = warning",
            new DiagnosticResult(DiagnosticDescriptors.SizeClassWaste).WithSeverity(Microsoft.CodeAnalysis.DiagnosticSeverity.Warning).WithLocation(0)
                .WithArguments("Tiny", 4, 16, 12, "; a struct this small leaves at least half of its block unused"));

    [Fact]
    public Task Fix_reorders_fields_keeping_comments_and_attributes() =>
        VerifyReorderAsync(
            """
            using System;
            using PooledGen;

            [Pooled]
            public partial struct {|PG0005:Padded|}
            {
                /// <summary>The tag.</summary>
                public byte Byte; // one byte

                [Obsolete("old")]
                public long Long;

                public int Int;

                public override string ToString() => $"{Byte}";
            }
            """,
            """
            using System;
            using PooledGen;

            [Pooled]
            public partial struct Padded
            {
                [Obsolete("old")]
                public long Long;

                public int Int;

                /// <summary>The tag.</summary>
                public byte Byte; // one byte

                public override string ToString() => $"{Byte}";
            }
            """);

    [Fact]
    public Task Fix_moves_only_fields_and_leaves_other_members_in_place() =>
        VerifyReorderAsync(
            """
            using PooledGen;
            [Pooled]
            public partial struct {|PG0005:Mixed|}
            {
                public const int Version = 1;
                public byte Flags;
                public void Touch() => Flags++;
                public static long Created;
                public double Value { get; set; }
                public short Kind;
            }
            """,
            """
            using PooledGen;
            [Pooled]
            public partial struct Mixed
            {
                public const int Version = 1;
                public double Value { get; set; }
                public void Touch() => Flags++;
                public static long Created;
                public short Kind;
                public byte Flags;
            }
            """);

    [Fact]
    public Task Fix_keeps_a_declaration_of_several_names_together() =>
        VerifyReorderAsync(
            """
            using PooledGen;
            [Pooled]
            public partial struct {|PG0005:Shared|}
            {
                public byte A, B;
                public long C;
                public short D;
            }
            """,
            """
            using PooledGen;
            [Pooled]
            public partial struct Shared
            {
                public long C;
                public short D;
                public byte A, B;
            }
            """);

    [Fact]
    public Task Fix_moves_a_declaration_of_several_names_as_one_member() =>
        VerifyReorderAsync(
            """
            using PooledGen;
            [Pooled]
            public partial struct {|PG0005:Group|}
            {
                public byte A;
                public long B;
                public byte C, D;
                public int E;
            }
            """,
            """
            using PooledGen;
            [Pooled]
            public partial struct Group
            {
                public long B;
                public int E;
                public byte A;
                public byte C, D;
            }
            """);

    [Fact]
    public Task Fix_in_the_part_that_declares_the_fields() =>
        VerifyReorderAsync(
            """
            using PooledGen;
            [Pooled] public partial struct {|PG0005:Parted|} { }
            public partial struct Parted { public byte A; public long B; public int C; }
            """,
            """
            using PooledGen;
            [Pooled] public partial struct Parted { }
            public partial struct Parted { public long B; public int C; public byte A; }
            """);

    [Fact]
    public Task Fix_all_reorders_every_struct_including_one_nested_in_another() =>
        VerifyReorderAsync(
            """
            using PooledGen;
            [Pooled]
            public partial struct {|PG0005:Outer|}
            {
                public byte Tag;
                public long Id;
                public int Count;

                [Pooled]
                public partial struct {|PG0005:Inner|}
                {
                    public short Kind;
                    public double Value;
                    public byte Flags;
                }
            }
            """,
            """
            using PooledGen;
            [Pooled]
            public partial struct Outer
            {
                public long Id;
                public int Count;
                public byte Tag;

                [Pooled]
                public partial struct Inner
                {
                    public double Value;
                    public short Kind;
                    public byte Flags;
                }
            }
            """);

    [Fact]
    public Task No_fix_for_a_struct_that_is_only_small() =>
        VerifyNoReorderAsync("""
            using PooledGen;
            [Pooled] public partial struct {|PG0005:Tiny|} { public int Id; }
            """);

    [Fact]
    public Task No_fix_when_a_preprocessor_directive_sits_among_the_fields() =>
        VerifyNoReorderAsync("""
            using PooledGen;
            [Pooled]
            public partial struct {|PG0005:Conditional|}
            {
                public byte Tag;
            #if DEBUG
                public short Check;
            #endif
                public long Id;
                public int Count;
            }
            """);
}
