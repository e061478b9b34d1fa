using System.Globalization;
using System.Text.Json;

namespace PooledGen.Package.Tests;

/// <summary>
/// Console projects outside the repository that reference only the PooledGen package, built, run and checked the
/// way a user meets the packages.
/// </summary>
[Collection(PackageFeedCollection.Name)]
public sealed class ConsumerTests(PackageFeed feed)
{
    /// <summary>How every test builds a consumer: Release, plain console output, no build server left behind.</summary>
    internal static readonly string[] BuildOptions = ["-c", "Release", "-tl:off", "-nodeReuse:false", "-p:UseSharedCompilation=false"];

    [Fact]
    public void Consumer_builds_with_the_generated_members_and_runs_on_net10()
    {
        var build = feed.Consumer(["build", "Good/Good.csproj", "-f", "net10.0", .. BuildOptions]);

        Assert.True(build.ExitCode == 0, build.Describe());
        Assert.DoesNotContain(" warning PG", build.Output);
        Assert.DoesNotContain(" error PG", build.Output);

        var run = feed.Consumer("Good/bin/Release/net10.0/Good.dll");

        Assert.True(run.ExitCode == 0, run.Describe());
        Assert.Contains("Point3: PooledSize=24 PooledBlockSize=32", run.Output);
        Assert.Contains("Tag: PooledSize=4 PooledBlockSize=16", run.Output);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"sum={6.0 * (9_999 * 10_000 / 2)} id=7"), run.Output);
        Assert.Contains("consumer ok", run.Output);
    }

    [Fact]
    public void Consumer_compiles_for_net8()
    {
        // Only the .NET 10 runtime is installed here, so net8.0 is built, not run.
        var build = feed.Consumer(["build", "Good/Good.csproj", "-f", "net8.0", .. BuildOptions]);

        Assert.True(build.ExitCode == 0, build.Describe());
        Assert.DoesNotContain(" warning PG", build.Output);
        Assert.True(File.Exists(Path.Combine(feed.Workspace, "Good/bin/Release/net8.0/Good.dll")), build.Describe());
    }

    [Fact]
    public void Consumer_restores_PooledGen_from_the_feed_into_its_private_cache_and_references_no_Roslyn_assembly()
    {
        var restore = feed.Consumer("restore", "Good/Good.csproj", "-tl:off");
        Assert.True(restore.ExitCode == 0, restore.Describe());

        foreach (var id in new[] { "pooledgen", "pooledgen.runtime" })
        {
            var metadata = Path.Combine(feed.Cache, id, feed.Version.ToLowerInvariant(), ".nupkg.metadata");
            Assert.True(File.Exists(metadata), $"{id} {feed.Version} is not in the private cache {feed.Cache}");
            using var json = JsonDocument.Parse(File.ReadAllText(metadata));
            Assert.Equal(Path.TrimEndingDirectorySeparator(feed.Feed), Path.TrimEndingDirectorySeparator(json.RootElement.GetProperty("source").GetString()!));
        }

        using var assets = JsonDocument.Parse(File.ReadAllText(Path.Combine(feed.Workspace, "Good/obj/project.assets.json")));
        var libraries = assets.RootElement.GetProperty("libraries").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains(libraries, l => l.StartsWith("PooledGen.Runtime/", StringComparison.Ordinal));
        Assert.DoesNotContain(libraries, l => l.StartsWith("Microsoft.CodeAnalysis", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Diagnostics_sample_built_against_the_package_fails_with_PG0001_to_PG0006_and_the_ownership_warnings()
    {
        var build = feed.Consumer(["build", "Faulty/Faulty.csproj", .. BuildOptions]);

        Assert.True(build.ExitCode != 0, "PG0002-PG0004 are errors, so the build must fail. " + build.Describe());
        AssertDiagnostic(build, "warning PG0001", "Huge", "640 bytes, over the small-object threshold of 256 bytes");
        // Only over the threshold the project sets: proves build/PooledGen.props made the property visible.
        AssertDiagnostic(build, "warning PG0001", "Medium", "320 bytes, over the small-object threshold of 256 bytes");
        AssertDiagnostic(build, "error PG0002", "Named", "field 'Name' is of type 'string'");
        AssertDiagnostic(build, "error PG0003", "Sealed", "must be declared partial");
        AssertDiagnostic(build, "error PG0004", "Box", "cannot be pooled");
        // Info by default; the sample's .editorconfig raises them to warnings so that a build shows them.
        AssertDiagnostic(build, "warning PG0005", "Padded", "24 bytes and is served by the 32-byte size class");
        AssertDiagnostic(build, "warning PG0006", "Lanes", "cannot be computed at compile time");
        AssertDiagnostic(build, "warning PG0010", "Ownership.cs", "is used here after it was freed");
        AssertDiagnostic(build, "warning PG0011", "Ownership.cs", "may be freed twice");
        AssertDiagnostic(build, "warning PG0012", "Ownership.cs", "neither freed nor handed on along some path out of 'Leak'");
        AssertDiagnostic(build, "warning PG0012", "Ownership.cs", "neither freed nor handed on along some path out of 'LeakFromFactory'");
        AssertDiagnostic(build, "warning PG0014", "Ownership.cs", "is stored here, but a using frees it at the end of its scope");
        Assert.DoesNotContain(build.Output.Split('\n'), line => line.Contains("PG00", StringComparison.Ordinal) && line.Contains("'Create'", StringComparison.Ordinal));
    }

    [Fact]
    public void CSharp_10_consumer_fails_with_PG0007_at_each_pooled_struct_and_with_nothing_in_generated_code()
    {
        var build = feed.Consumer(["build", "CSharp10/CSharp10.csproj", .. BuildOptions]);

        Assert.True(build.ExitCode != 0, "PG0007 is an error, so the build must fail. " + build.Describe());
        AssertDiagnostic(build, "error PG0007", "'Legacy.Enemy'", "cannot be pooled with C# 10.0");
        AssertDiagnostic(build, "error PG0007", "'Legacy.Bullet'", "set <LangVersion>11</LangVersion> or later (or latest)");
        // Before PG0007 the generated code was emitted anyway and the user got CS8706 in obj/*.g.cs, and nothing else.
        Assert.DoesNotContain("CS8706", build.Output);
        Assert.DoesNotContain(".g.cs", build.Output);
        var errors = build.Output.Split('\n').Where(line => line.Contains(": error ", StringComparison.Ordinal)).Distinct().ToList();
        Assert.True(errors.All(line => line.Contains("error PG0007", StringComparison.Ordinal)), "Only PG0007 is expected. " + build.Describe());
        Assert.Equal(2, errors.Count);
    }

    [Fact]
    public void Leak_report_of_a_debug_run_names_each_leaking_method_of_the_users_code_not_the_generated_Alloc()
    {
        var build = feed.Consumer(["build", "Leaky/Leaky.csproj", .. BuildOptions]);
        Assert.True(build.ExitCode == 0, build.Describe());

        var run = DotNet.Run(feed.Workspace, new Dictionary<string, string>(feed.ConsumerEnvironment) { ["POOLEDGEN_DEBUG"] = "1" }, "Leaky/bin/Release/net10.0/Leaky.dll");

        Assert.True(run.ExitCode == 0, run.Describe());
        Assert.Contains("debug=True live=5", run.Output);
        Assert.Contains("Leaky.Enemy: 5 blocks, 60 bytes", run.Output);
        // Three methods leak the same struct through the same generated Alloc: three entries, each naming its method.
        AssertLeakEntry(run, "3 blocks allocated at Leaky.Spawner.SpawnWave in ", "Program.cs:line 17");
        AssertLeakEntry(run, "1 block allocated at Leaky.Spawner.SpawnScout in ", "Program.cs:line 20");
        AssertLeakEntry(run, "1 block allocated at Leaky.Spawner.Make in ", "Program.cs:line 24");
        Assert.DoesNotContain(".g.cs", run.Output);
        Assert.DoesNotContain("Leaky.Enemy.Alloc", run.Output);
    }

    internal static void AssertLeakEntry(CommandResult run, string entry, string? location = null)
    {
        var found = run.Output.Split('\n').Any(line =>
            line.TrimStart().StartsWith(entry, StringComparison.Ordinal)
            && (location is null || line.Contains(location, StringComparison.Ordinal)));
        Assert.True(found, $"No leak report line starting \"{entry}\"{(location is null ? "" : " at " + location)}. " + run.Describe());
    }

    private static void AssertDiagnostic(CommandResult build, string idAndSeverity, string subject, string messagePart)
    {
        var found = build.Output.Split('\n').Any(line =>
            line.Contains(idAndSeverity, StringComparison.Ordinal)
            && line.Contains(subject, StringComparison.Ordinal)
            && line.Contains(messagePart, StringComparison.Ordinal));
        Assert.True(found, $"No `{idAndSeverity}` about {subject} saying \"{messagePart}\". " + build.Describe());
    }
}
