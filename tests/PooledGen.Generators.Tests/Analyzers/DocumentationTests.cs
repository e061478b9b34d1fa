using System.Text.RegularExpressions;
using PooledGen.Generators.Diagnostics;

namespace PooledGen.Generators.Tests.Analyzers;

/// <summary>Each diagnostic's page exists where its help link points, and its example reports that diagnostic.</summary>
public partial class DocumentationTests
{
    public static TheoryData<string> Ids() => new() { "PG0001", "PG0002", "PG0003", "PG0004", "PG0005", "PG0006" };

    [Theory]
    [MemberData(nameof(Ids))]
    public async Task Documented_example_reports_its_diagnostic(string id)
    {
        var descriptor = new PooledAnalyzer().SupportedDiagnostics.Single(d => d.Id == id);
        var page = Path.Combine(RepositoryRoot(), "docs", "diagnostics", id + ".md");
        Assert.EndsWith("/docs/diagnostics/" + id + ".md", descriptor.HelpLinkUri);

        var markdown = await File.ReadAllTextAsync(page);
        var example = ExampleBlock().Match(markdown[markdown.IndexOf("## Example", StringComparison.Ordinal)..]);
        Assert.True(example.Success, id + ".md has a csharp block under ## Example");

        var (diagnostics, exceptions) = await AnalyzerRun.RunAsync(example.Groups[1].Value);

        Assert.Empty(exceptions);
        Assert.Contains(diagnostics, d => d.Id == id);
    }

    [GeneratedRegex("```csharp\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex ExampleBlock();

    internal static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "PooledGen.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("PooledGen.sln not found above " + AppContext.BaseDirectory);
    }
}
