namespace PooledGen.Package.Tests;

/// <summary>What is inside the two packages, read from the .nupkg files themselves.</summary>
[Collection(PackageFeedCollection.Name)]
public sealed partial class PackageLayoutTests(PackageFeed feed)
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
    public void Runtime_package_has_the_library_and_its_xml_docs_for_net8_and_net10()
    {
        var entries = feed.Entries("PooledGen.Runtime");

        foreach (var tfm in s_targetFrameworks)
        {
            Assert.Contains($"lib/{tfm}/PooledGen.Runtime.dll", entries);
            Assert.Contains($"lib/{tfm}/PooledGen.Runtime.xml", entries);
        }

        Assert.Equal(4, entries.Count(e => e.StartsWith("lib/", StringComparison.Ordinal)));
        var metadata = feed.ReadNuspec("PooledGen.Runtime").Child("metadata");
        Assert.Equal("MIT", metadata.Child("license").Value);
        Assert.Empty(metadata.Descendants("dependency"));
    }

    [Theory]
    [InlineData("PooledGen")]
    [InlineData("PooledGen.Runtime")]
    public void Package_carries_the_package_page_and_the_icon_and_points_at_the_repository(string id)
    {
        var entries = feed.Entries(id);
        var metadata = feed.ReadNuspec(id).Child("metadata");

        Assert.Contains("README.md", entries);
        Assert.Contains("icon.png", entries);
        Assert.Equal("README.md", metadata.Child("readme").Value);
        Assert.Equal("icon.png", metadata.Child("icon").Value);
        Assert.Equal(RepositoryUrl(), metadata.Child("projectUrl").Value);
        Assert.Equal(RepositoryUrl(), metadata.Child("repository").Attribute("url")?.Value);
    }

    [Theory]
    [InlineData("PooledGen")]
    [InlineData("PooledGen.Runtime")]
    public void Package_page_is_PACKAGE_md_with_every_link_made_absolute_from_RepositoryUrl(string id)
    {
        var page = feed.ReadEntry(id, "README.md");
        var source = File.ReadAllText(Path.Combine(feed.RepositoryRoot, "src", "PooledGen", "PACKAGE.md"));
        var repository = RepositoryUrl();

        // Written at pack time from the one RepositoryUrl property, character for character (no lost ';' or '%').
        Assert.Contains("{{RepositoryUrl}}", source);
        Assert.Equal(source.Replace("{{RepositoryUrl}}", repository, StringComparison.Ordinal).ReplaceLineEndings(), page.ReplaceLineEndings());

        var targets = MarkdownLinkTarget().Matches(page).Select(m => m.Groups[1].Value).ToList();
        Assert.True(targets.Count >= 10, "the page links the diagnostics' pages and the documentation");
        foreach (var target in targets)
        {
            Assert.StartsWith(repository, target, StringComparison.Ordinal);
            var blob = repository + "/blob/main/";
            if (target.StartsWith(blob, StringComparison.Ordinal))
            {
                var file = Path.Combine(feed.RepositoryRoot, target[blob.Length..]);
                Assert.True(File.Exists(file), $"{target} names no file of the repository");
            }
        }
    }

    [Fact]
    public void Package_page_says_NativeAOT_and_trimming_are_supported_and_how_it_is_verified()
    {
        var page = feed.ReadEntry("PooledGen", "README.md");

        Assert.Contains("## NativeAOT and trimming", page);
        Assert.Contains("zero trimming (IL2xxx)", page);
        Assert.Contains("AOT (IL3xxx) warnings", page);
    }

    [Fact]
    public void Package_icon_is_a_square_png_of_a_size_a_gallery_shows()
    {
        using var zip = System.IO.Compression.ZipFile.OpenRead(feed.PackagePath("PooledGen"));
        using var stream = zip.GetEntry("icon.png")!.Open();
        var header = new byte[24];
        stream.ReadExactly(header);

        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, header[..8]);
        var width = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(16));
        var height = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(20));
        Assert.Equal(width, height);
        Assert.InRange(width, 64, 512);
    }

    /// <summary>RepositoryUrl as Directory.Build.props sets it.</summary>
    private string RepositoryUrl() =>
        System.Xml.Linq.XDocument.Load(Path.Combine(feed.RepositoryRoot, "Directory.Build.props"))
            .Descendants().Single(e => e.Name.LocalName == "RepositoryUrl").Value;

    // The target of every markdown link and image: [text](target) and ![alt](target).
    [System.Text.RegularExpressions.GeneratedRegex(@"\]\(([^)\s]+)\)")]
    private static partial System.Text.RegularExpressions.Regex MarkdownLinkTarget();

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
