using Microsoft.CodeAnalysis.Testing;
using PooledGen.Generators.Diagnostics;
using static PooledGen.Generators.Tests.Analyzers.PooledAnalyzerTest;

namespace PooledGen.Generators.Tests.Analyzers;

/// <summary>The MSBuild property PooledGenSmallObjectThreshold, as the compiler passes it to the analyzer.</summary>
public class ThresholdOptionTests
{
    private const string Structs = """
        using PooledGen;
        [Pooled] public unsafe partial struct {|#0:Medium|} { public fixed byte Data[272]; }
        [Pooled] public unsafe partial struct AtLimit { public fixed byte Data[256]; }
        """;

    private const string Big = """
        using PooledGen;
        [Pooled] public unsafe partial struct {|#0:Big|} { public fixed byte Data[513]; }
        [Pooled] public unsafe partial struct Medium { public fixed byte Data[272]; }
        """;

    [Fact]
    public Task Lower_threshold_reports_structs_above_it_and_not_at_it() =>
        VerifyWithConfigAsync(
            Structs,
            "build_property.PooledGenSmallObjectThreshold = 256",
            new DiagnosticResult(DiagnosticDescriptors.TooLarge).WithLocation(0).WithArguments("Medium", 272, 256, ": it is still pooled, in the 272-byte class, but the project sets PooledGenSmallObjectThreshold to 256"));

    [Fact]
    public Task Threshold_of_512_is_the_default() =>
        VerifyWithConfigAsync(
            Big,
            "build_property.PooledGenSmallObjectThreshold = 512",
            new DiagnosticResult(DiagnosticDescriptors.TooLarge).WithLocation(0).WithArguments("Big", 513, 512, PG0001TooLargeTests.LargeObject));

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("100")]
    [InlineData("0")]
    [InlineData("-16")]
    [InlineData("1024")]
    [InlineData("99999999999999999999")]
    public Task Invalid_threshold_falls_back_to_512(string value) =>
        VerifyWithConfigAsync(
            Big,
            "build_property.PooledGenSmallObjectThreshold = " + value,
            new DiagnosticResult(DiagnosticDescriptors.TooLarge).WithLocation(0).WithArguments("Big", 513, 512, PG0001TooLargeTests.LargeObject));

    [Theory]
    [InlineData(null, 512)]
    [InlineData("16", 16)]
    [InlineData(" 128 ", 128)]
    [InlineData("512", 512)]
    [InlineData("17", 512)]
    [InlineData("528", 512)]
    [InlineData("+32", 512)]
    [InlineData("0x100", 512)]
    public void Parse_accepts_multiples_of_16_from_16_to_512(string? value, int expected) =>
        Assert.Equal(expected, SmallObjectThreshold.Parse(value));

    [Fact]
    public void Props_file_makes_the_property_visible_to_the_compiler()
    {
        var props = System.Xml.Linq.XDocument.Load(Path.Combine(DocumentationTests.RepositoryRoot(), "src", "PooledGen.Generators", "buildTransitive", "PooledGen.props"));
        Assert.Contains(
            props.Descendants("CompilerVisibleProperty"),
            e => (string?)e.Attribute("Include") == "PooledGenSmallObjectThreshold");
        Assert.Equal("build_property.PooledGenSmallObjectThreshold", SmallObjectThreshold.OptionKey);
    }
}
