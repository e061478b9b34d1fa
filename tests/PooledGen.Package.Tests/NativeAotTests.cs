using System.Text.RegularExpressions;

namespace PooledGen.Package.Tests;

/// <summary>
/// The package page says NativeAOT and trimming are supported, verified with zero IL2xxx/IL3xxx warnings: this keeps
/// it true. A consumer of the packed packages (Consumers/Native: the leaking game of Consumers/Leaky, with the whole
/// runtime assembly rooted so that the AOT compiler analyses all of it) is published once with PublishAot=true, which
/// runs the trimming analysis too; the tests read that one publish.
/// </summary>
[Collection(PackageFeedCollection.Name)]
public sealed partial class NativeAotTests(PackageFeed feed)
{
    [NativeToolchainFact]
    public void Publishing_a_consumer_with_PublishAot_reports_no_trimming_or_AOT_warning()
    {
        var publish = Publish();

        Assert.True(publish.ExitCode == 0, publish.Describe());
        Assert.Contains("Generating native code", publish.Output);
        var warnings = TrimmingOrAotWarning().Matches(publish.Output).Select(m => m.Value).Distinct().ToList();
        Assert.True(warnings.Count == 0, $"Trimming/AOT warnings: {string.Join(", ", warnings)}. " + publish.Describe(200));
    }

    [NativeToolchainFact]
    public void The_native_consumer_runs_and_its_debug_leak_report_names_each_leaking_method()
    {
        var publish = Publish();
        Assert.True(publish.ExitCode == 0, publish.Describe());

        var run = DotNet.RunProgram(
            Path.Combine(feed.Workspace, "Native", "published", "Native"),
            feed.Workspace,
            new Dictionary<string, string> { ["POOLEDGEN_DEBUG"] = "1" });

        Assert.True(run.ExitCode == 0, run.Describe());
        Assert.Contains("debug=True live=5", run.Output);
        // NativeAOT keeps no reflection data for these methods (StackFrame.GetMethod() is null): the names come from
        // DiagnosticMethodInfo, and its stack traces carry no file or line.
        ConsumerTests.AssertLeakEntry(run, "3 blocks allocated at Leaky.Spawner.SpawnWave (");
        ConsumerTests.AssertLeakEntry(run, "1 block allocated at Leaky.Spawner.SpawnScout (");
        ConsumerTests.AssertLeakEntry(run, "1 block allocated at Leaky.Spawner.Make (");
        Assert.DoesNotContain("allocated at (unknown)", run.Output);
    }

    /// <summary>The publish, run once for every test of the feed.</summary>
    private CommandResult Publish() =>
        feed.Once("publish Native", () => feed.Consumer(
            ["publish", "Native/Native.csproj", "-o", Path.Combine(feed.Workspace, "Native", "published"), .. ConsumerTests.BuildOptions]));

    // "warning IL2026: ...", "warning IL3050: ...", and IL2104/IL3053 ("assembly produced trim/AOT warnings").
    [GeneratedRegex(@"\bIL[23]\d{3}\b")]
    private static partial Regex TrimmingOrAotWarning();
}

/// <summary>
/// A fact that needs the native toolchain NativeAOT links with. Where it is missing the test is skipped, and the reason
/// (what is missing, and how to install it) is printed with the skip.
/// </summary>
public sealed class NativeToolchainFactAttribute : FactAttribute
{
    public NativeToolchainFactAttribute()
    {
        if (NativeToolchain.Missing() is { } missing)
        {
            Skip = missing;
        }
    }
}

/// <summary>What NativeAOT needs on this machine besides the .NET SDK.</summary>
public static class NativeToolchain
{
    /// <summary>Null when the toolchain is there; otherwise why the AOT publish cannot run here.</summary>
    public static string? Missing()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "The NativeAOT publish check runs on Linux only (the toolchain it needs differs on each OS).";
        }

        // The ILCompiler package links with clang, or with gcc where clang is missing, and strips symbols with objcopy.
        bool compiler = OnPath("clang") || OnPath("gcc");
        bool objcopy = OnPath("objcopy");
        return compiler && objcopy
            ? null
            : $"NativeAOT needs a C compiler and linker (clang or gcc: {(compiler ? "found" : "missing")}) and objcopy ({(objcopy ? "found" : "missing")}) on PATH; install clang or gcc, and binutils (e.g. apt-get install clang binutils) to run this check.";
    }

    private static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(folder => File.Exists(Path.Combine(folder, tool)));
}
