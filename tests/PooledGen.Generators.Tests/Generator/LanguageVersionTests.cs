using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace PooledGen.Generators.Tests.Generator;

/// <summary>
/// Below C# 11 the generated code cannot compile (it implements static abstract interface members), so the generator
/// generates nothing there and PG0007 speaks instead of nine CS8706 errors in generated files.
/// </summary>
public class LanguageVersionTests
{
    private const string Structs = """
        using PooledGen;
        namespace Game
        {
            [Pooled] public partial struct Enemy { public float X, Y; }
            [Pooled] public partial struct Bullet { public float X, Y, Speed; }
        }
        """;

    [Theory]
    [InlineData(LanguageVersion.CSharp9)]
    [InlineData(LanguageVersion.CSharp10)]
    public void Below_CSharp_11_nothing_is_generated_and_the_project_has_no_error_in_generated_code(LanguageVersion version)
    {
        var parse = CSharpParseOptions.Default.WithLanguageVersion(version);

        var driver = GeneratorTestHelpers.RunGenerator(GeneratorTestHelpers.CreateCompilation(parse, Structs), out var output, parseOptions: parse);

        var result = driver.GetRunResult().Results.Single();
        Assert.Null(result.Exception);
        Assert.Empty(result.GeneratedSources);
        Assert.Empty(GeneratorTestHelpers.ErrorsAndWarnings(output));
    }

    [Theory]
    [InlineData(LanguageVersion.CSharp11)]
    [InlineData(LanguageVersion.CSharp12)]
    [InlineData(LanguageVersion.Latest)]
    [InlineData(LanguageVersion.Preview)]
    public void From_CSharp_11_every_pooled_struct_is_generated_and_compiles(LanguageVersion version)
    {
        var parse = CSharpParseOptions.Default.WithLanguageVersion(version);

        var driver = GeneratorTestHelpers.RunGenerator(GeneratorTestHelpers.CreateCompilation(parse, Structs), out var output, parseOptions: parse);

        Assert.Equal(new[] { "Game.Bullet.g.cs", "Game.Enemy.g.cs" }, GeneratorTestHelpers.GeneratedSources(driver).Keys.Order(StringComparer.Ordinal));
        Assert.Empty(GeneratorTestHelpers.ErrorsAndWarnings(output));
    }

    [Fact]
    public void Lowering_the_project_to_CSharp_10_removes_the_generated_files_and_raising_it_again_brings_them_back()
    {
        var latest = GeneratorTestHelpers.ParseOptions;
        var compilation = GeneratorTestHelpers.CreateCompilation(Structs);
        var driver = GeneratorTestHelpers.RunGenerator(compilation, out _);
        Assert.Equal(2, GeneratorTestHelpers.GeneratedSources(driver).Count);

        driver = GeneratorTestHelpers.RunGenerator(compilation, out _, driver.WithUpdatedParseOptions(latest.WithLanguageVersion(LanguageVersion.CSharp10)));
        Assert.Empty(GeneratorTestHelpers.GeneratedSources(driver));

        driver = GeneratorTestHelpers.RunGenerator(compilation, out _, driver.WithUpdatedParseOptions(latest));
        Assert.Equal(2, GeneratorTestHelpers.GeneratedSources(driver).Count);
    }
}
