namespace PooledGen.Package.Tests;

/// <summary>What is inside the two packages, read from the .nupkg files themselves.</summary>
[Collection(PackageFeedCollection.Name)]
public sealed class PackageLayoutTests(PackageFeed feed)
{
    private static readonly string[] s_targetFrameworks = ["net8.0", "net10.0"];

    [Fact]
    public void Packing_the_repository_produces_the_two_packages_and_the_runtime_symbols_only()
    {
        var files = Directory.GetFiles(feed.PackagesFolder).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();

        Assert.Equal(
            new[] { $"PooledGen.{feed.Version}.nupkg", $"PooledGen.Runtime.{feed.Version}.nupkg", $"PooledGen.Runtime.{feed.Version}.snupkg" },
            files);
    }

    [Fact]
    public void Runtime_package_has_the_library_and_its_xml_docs_for_net8_and_net10_and_the_readme()
    {
        var entries = feed.Entries("PooledGen.Runtime");

        foreach (var tfm in s_targetFrameworks)
        {
            Assert.Contains($"lib/{tfm}/PooledGen.Runtime.dll", entries);
            Assert.Contains($"lib/{tfm}/PooledGen.Runtime.xml", entries);
        }

        Assert.Equal(4, entries.Count(e => e.StartsWith("lib/", StringComparison.Ordinal)));
        Assert.Contains("README.md", entries);
        var metadata = feed.ReadNuspec("PooledGen.Runtime").Child("metadata");
        Assert.Equal("README.md", metadata.Child("readme").Value);
        Assert.Equal("MIT", metadata.Child("license").Value);
        Assert.Empty(metadata.Descendants("dependency"));
    }

    [Fact]
    public void Runtime_symbols_package_has_the_pdbs_and_the_package_names_its_commit_for_source_link()
    {
        var symbols = feed.Entries("PooledGen.Runtime", "snupkg");

        foreach (var tfm in s_targetFrameworks)
        {
            Assert.Contains($"lib/{tfm}/PooledGen.Runtime.pdb", symbols);
        }

        var repository = feed.ReadNuspec("PooledGen.Runtime").Child("metadata").Child("repository");
        Assert.Matches("^[0-9a-f]{40}$", repository.Attribute("commit")?.Value ?? "");
    }

    [Fact]
    public void PooledGen_package_carries_generator_analyzers_and_code_fixes_as_analyzers_and_no_library()
    {
        var entries = feed.Entries("PooledGen");

        Assert.Contains("analyzers/dotnet/cs/PooledGen.Generators.dll", entries);
        Assert.Contains("analyzers/dotnet/cs/PooledGen.CodeFixes.dll", entries);
        Assert.Equal(2, entries.Count(e => e.StartsWith("analyzers/", StringComparison.Ordinal)));
        // lib/<tfm>/_._ only: compatible with net8.0 and net10.0, nothing for the consumer to reference.
        Assert.Equal(
            new[] { "lib/net10.0/_._", "lib/net8.0/_._" },
            entries.Where(e => e.StartsWith("lib/", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(entries, e => e.Contains("Microsoft.CodeAnalysis", StringComparison.OrdinalIgnoreCase));
    }

    [Theory]
    [InlineData("build/PooledGen.props")]
    [InlineData("buildTransitive/PooledGen.props")]
    public void PooledGen_package_makes_the_threshold_property_visible_to_the_compiler(string entry)
    {
        var props = feed.ReadEntry("PooledGen", entry);

        Assert.Contains("<CompilerVisibleProperty Include=\"PooledGenSmallObjectThreshold\" />", props);
    }

    [Fact]
    public void PooledGen_package_depends_on_the_same_runtime_version_and_on_nothing_else()
    {
        var metadata = feed.ReadNuspec("PooledGen").Child("metadata");
        var groups = metadata.Child("dependencies").Elements().ToList();

        Assert.Equal(s_targetFrameworks.Order(StringComparer.Ordinal), groups.Select(g => g.Attribute("targetFramework")!.Value).Order(StringComparer.Ordinal));
        foreach (var group in groups)
        {
            var dependency = Assert.Single(group.Elements());
            Assert.Equal("PooledGen.Runtime", dependency.Attribute("id")!.Value);
            Assert.Equal(feed.Version, dependency.Attribute("version")!.Value);
        }
    }
}
