using Microsoft.CodeAnalysis;
using PooledGen.Generators.Layout;
using PooledGen.Generators.Targets;

namespace PooledGen.Generators.Tests.Generator;

/// <summary>The layout engine's answers that the CLR corpus cannot show: offsets, unknowns, cycles, reference paths.</summary>
public class LayoutCalculatorTests
{
    private static (TypeLayout Layout, INamedTypeSymbol Symbol) LayoutOf(string source, string metadataName)
    {
        var compilation = GeneratorTestHelpers.CreateCompilation(source);
        var symbol = compilation.GetTypeByMetadataName(metadataName)!;
        return (LayoutCalculator.Compute(symbol, CancellationToken.None), symbol);
    }

    [Fact]
    public void Sequential_fields_are_reported_in_declaration_order_with_offsets()
    {
        var (layout, _) = LayoutOf("struct S { public byte A; public long B; public short C; }", "S");

        Assert.Equal(24, layout.Size);
        Assert.Equal(8, layout.Alignment);
        Assert.Equal(LayoutStrategy.Sequential, layout.Strategy);
        Assert.Equal(
            new[] { new FieldLayout("A", "byte", 0, 1, 1), new FieldLayout("B", "long", 8, 8, 8), new FieldLayout("C", "short", 16, 2, 2) },
            layout.Fields);
    }

    [Fact]
    public void Descending_alignment_order_removes_padding_and_size_for_order_measures_it()
    {
        var (layout, _) = LayoutOf("struct S { public byte A; public long B; public short C; }", "S");

        var order = layout.DescendingAlignmentOrder();

        Assert.Equal(new[] { 1, 2, 0 }, order);
        Assert.Equal(16, layout.SizeForFieldOrder(order));
        Assert.Equal(24, layout.SizeForFieldOrder(new[] { 0, 1, 2 }));
        Assert.Equal(-1, layout.SizeForFieldOrder(new[] { 0, 0, 1 }));
    }

    [Fact]
    public void Auto_properties_count_through_their_backing_fields_named_after_the_property()
    {
        var (layout, _) = LayoutOf("struct S { public byte A { get; set; } public long B; }", "S");

        Assert.Equal(16, layout.Size);
        Assert.Equal(new[] { "A", "B" }, layout.Fields.Select(f => f.Name));
    }

    [Fact]
    public void Auto_layout_places_primitives_by_size_then_structs()
    {
        var (layout, _) = LayoutOf(
            "using System.Runtime.InteropServices; struct T3 { byte x, y, z; } [StructLayout(LayoutKind.Auto)] struct S { public byte A; public T3 B; public long C; public byte D; }",
            "S");

        Assert.Equal(16, layout.Size);
        Assert.Equal(new[] { 8, 10, 0, 9 }, layout.Fields.Select(f => f.Offset));
    }

    [Fact]
    public void Opaque_metadata_struct_is_unknown_and_named()
    {
        var (layout, _) = LayoutOf("struct S { public byte A; public System.Numerics.Vector<int> B; }", "S");

        Assert.False(layout.IsKnown);
        Assert.Equal(-1, layout.Size);
        Assert.Equal(LayoutUnknownReason.OpaqueType, layout.UnknownReason);
        Assert.Equal("System.Numerics.Vector<int>", layout.UnknownTypeName);
    }

    [Fact]
    public void Error_types_are_unresolved_not_opaque()
    {
        var (layout, _) = LayoutOf("struct S { public byte A; public Missing B; }", "S");

        Assert.Equal(LayoutUnknownReason.Unresolved, layout.UnknownReason);
    }

    [Theory]
    [InlineData("struct S { public S Self; }")]
    [InlineData("struct S { public T Other; } struct T { public S Back; }")]
    [InlineData("struct S { public G<int> A; } struct G<X> { public G<G<X>> Deeper; }")]
    public void Cyclic_layouts_end_as_unknown_without_hanging(string source)
    {
        var (layout, _) = LayoutOf(source, "S");

        Assert.Equal(LayoutUnknownReason.Cycle, layout.UnknownReason);
    }

    [Theory]
    [InlineData("unsafe struct S { public fixed long B[1000000000]; public fixed long C[1000000000]; }")]
    [InlineData("unsafe struct S { public fixed int B[-1]; }")]
    [InlineData("unsafe struct S { public fixed int B[0]; }")]
    [InlineData("[System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential, Size = int.MaxValue)] struct S { public long A; public byte B; }")]
    public void Impossible_sizes_are_unresolved_not_thrown_or_negative(string source)
    {
        var (layout, _) = LayoutOf(source, "S");

        Assert.True(layout.Size == -1 || layout.Size > 0, $"size {layout.Size}");
        Assert.Equal(layout.Size == -1, layout.UnknownReason != LayoutUnknownReason.None);
    }

    [Fact]
    public void Reference_field_is_found_through_nested_structs_with_its_path()
    {
        var (_, symbol) = LayoutOf("struct Holder { public int I; public object O; } struct S { public int X; public Holder Holder; }", "S");

        var reference = LayoutCalculator.FindReferenceField(symbol, CancellationToken.None);

        Assert.Equal(new ReferenceField("Holder.O", "object"), reference);
    }

    [Fact]
    public void Reference_inside_a_BCL_generic_struct_is_found()
    {
        var (_, symbol) = LayoutOf("struct S { public int X; public System.Collections.Generic.KeyValuePair<int, string> Pair; }", "S");

        var reference = LayoutCalculator.FindReferenceField(symbol, CancellationToken.None);

        Assert.NotNull(reference);
        Assert.StartsWith("Pair.", reference!.Value.Path, StringComparison.Ordinal);
    }

    [Fact]
    public void Unmanaged_struct_has_no_reference_field()
    {
        var (_, symbol) = LayoutOf("unsafe struct S { public int X; public void* P; public fixed byte B[4]; public int? N; }", "S");

        Assert.Null(LayoutCalculator.FindReferenceField(symbol, CancellationToken.None));
    }

    [Theory]
    [InlineData(1, 16)]
    [InlineData(16, 16)]
    [InlineData(17, 32)]
    [InlineData(511, 512)]
    [InlineData(512, 512)]
    [InlineData(513, 0)]
    [InlineData(-1, 0)]
    public void Size_classes_step_by_16_up_to_and_including_512(int size, int block) =>
        Assert.Equal(block, SizeClasses.BlockSize(size));

    [Fact]
    public void Size_classes_follow_a_custom_threshold() =>
        Assert.Equal((256, 0), (SizeClasses.BlockSize(256, threshold: 256), SizeClasses.BlockSize(257, threshold: 256)));
}
