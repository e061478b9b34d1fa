using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis.CSharp;
using PooledGen.Generators.Diagnostics;

namespace PooledGen.Generators.Tests.Analyzers;

/// <summary>Each diagnostic's page exists where its help link points, and its example reports that diagnostic.</summary>
public partial class DocumentationTests
{
    public static TheoryData<string> Ids() => new() { "PG0001", "PG0002", "PG0003", "PG0004", "PG0005", "PG0006", "PG0007" };

    [Theory]
    [MemberData(nameof(Ids))]
    public async Task Documented_example_reports_its_diagnostic(string id)
    {
        var descriptor = AnalyzerRun.Analyzers.SelectMany(a => a.SupportedDiagnostics).Single(d => d.Id == id);
        var page = Path.Combine(RepositoryRoot(), "docs", "diagnostics", id + ".md");
        Assert.Equal(RepositoryUrl() + "/blob/main/docs/diagnostics/" + id + ".md", descriptor.HelpLinkUri);

        var markdown = await File.ReadAllTextAsync(page);
        var exampleSection = markdown[markdown.IndexOf("## Example", StringComparison.Ordinal)..];
        var example = ExampleBlock().Match(exampleSection);
        Assert.True(example.Success, id + ".md has a csharp block under ## Example");

        var (diagnostics, exceptions) = await AnalyzerRun.RunAsync(example.Groups[1].Value, ProjectLanguageVersion(exampleSection));

        Assert.Empty(exceptions);
        Assert.Contains(diagnostics, d => d.Id == id);
    }

    [GeneratedRegex("```csharp\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex ExampleBlock();

    /// <summary>
    /// The C# version the example's project file (an xml block under ## Example) sets with &lt;LangVersion&gt;, or the
    /// latest when it sets none.
    /// </summary>
    private static LanguageVersion ProjectLanguageVersion(string exampleSection)
    {
        var projectFile = ProjectFileBlock().Match(exampleSection);
        var setting = LangVersionSetting().Match(projectFile.Success ? projectFile.Groups[1].Value : "");
        if (!setting.Success)
        {
            return LanguageVersion.Latest;
        }

        Assert.True(LanguageVersionFacts.TryParse(setting.Groups[1].Value, out var version), "not a C# version: " + setting.Value);
        return version;
    }

    [GeneratedRegex("```xml\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex ProjectFileBlock();

    [GeneratedRegex("<LangVersion>([^<]+)</LangVersion>")]
    private static partial Regex LangVersionSetting();

    /// <summary>RepositoryUrl as Directory.Build.props sets it: the help links are built from it at compile time.</summary>
    private static string RepositoryUrl() =>
        System.Xml.Linq.XDocument.Load(Path.Combine(RepositoryRoot(), "Directory.Build.props"))
            .Descendants().Single(e => e.Name.LocalName == "RepositoryUrl").Value;

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
