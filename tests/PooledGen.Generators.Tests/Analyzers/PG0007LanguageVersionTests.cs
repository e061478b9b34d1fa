using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Testing;
using PooledGen.Generators.Diagnostics;
using PooledGen.Generators.Tests.Infrastructure;

namespace PooledGen.Generators.Tests.Analyzers;

public class PG0007LanguageVersionTests
{
    private const string TwoPooledStructs = """
        using PooledGen;
        namespace Game
        {
            [Pooled] public partial struct {|#0:Enemy|} { public float X, Y; }
            public static partial class World { [Pooled] public partial struct {|#1:Cell|} { public int Id; } }
            public partial struct Unmarked { public int A; }
        }
        """;

    [Fact]
    public Task CSharp_10_is_reported_at_every_pooled_struct_with_the_version_needed_and_how_to_set_it() =>
        VerifyAsync(
            LanguageVersion.CSharp10,
            TwoPooledStructs,
            new DiagnosticResult(DiagnosticDescriptors.LanguageVersionTooOld).WithLocation(0).WithArguments("Game.Enemy", "10.0", "11"),
            new DiagnosticResult(DiagnosticDescriptors.LanguageVersionTooOld).WithLocation(1).WithArguments("Game.World.Cell", "10.0", "11"));

    [Fact]
    public void The_message_names_the_setting_and_its_values()
    {
        var message = DiagnosticDescriptors.LanguageVersionTooOld.MessageFormat.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var text = string.Format(System.Globalization.CultureInfo.InvariantCulture, message, "Game.Enemy", "10.0", "11");

        Assert.Equal(
            "'Game.Enemy' cannot be pooled with C# 10.0: the code PooledGen generates for it implements IPooled<T>'s static abstract members, "
            + "which need C# 11 or later; set <LangVersion>11</LangVersion> or later (or latest) in the project file, or remove <LangVersion> to use the target framework's default",
            text);
        Assert.Equal(Microsoft.CodeAnalysis.DiagnosticSeverity.Error, DiagnosticDescriptors.LanguageVersionTooOld.DefaultSeverity);
    }

    [Fact]
    public Task CSharp_9_is_reported_too() =>
        VerifyAsync(
            LanguageVersion.CSharp9,
            """
            using PooledGen;
            [Pooled] public partial struct {|#0:Old|} { public int A; }
            """,
            new DiagnosticResult(DiagnosticDescriptors.LanguageVersionTooOld).WithLocation(0).WithArguments("Old", "9.0", "11"));

    [Theory]
    [InlineData(LanguageVersion.CSharp11)]
    [InlineData(LanguageVersion.CSharp12)]
    [InlineData(LanguageVersion.Latest)]
    [InlineData(LanguageVersion.Preview)]
    public Task CSharp_11_and_later_are_not_reported(LanguageVersion version) =>
        VerifyAsync(version, TwoPooledStructs.Replace("{|#0:Enemy|}", "Enemy", StringComparison.Ordinal).Replace("{|#1:Cell|}", "Cell", StringComparison.Ordinal));

    [Fact]
    public Task A_project_without_pooled_structs_is_not_reported_whatever_its_version() =>
        VerifyAsync(LanguageVersion.CSharp10, "public partial struct Plain { public int A; }");

    private static Task VerifyAsync(LanguageVersion version, string source, params DiagnosticResult[] expected)
    {
        var test = new CSharpAnalyzerVerifier<LanguageVersionAnalyzer>.Test { TestCode = source };
        // After TestReferences' own transform, which sets the latest version.
        test.SolutionTransforms.Add((solution, projectId) => solution.WithProjectParseOptions(
            projectId,
            ((CSharpParseOptions)solution.GetProject(projectId)!.ParseOptions!).WithLanguageVersion(version)));
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync();
    }
}
