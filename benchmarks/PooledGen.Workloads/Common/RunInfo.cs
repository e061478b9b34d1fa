using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime;
using System.Runtime.InteropServices;

namespace PooledGen.Workloads;

/// <summary>Where and how a run was made: printed above each table and kept in each JSON file.</summary>
internal sealed record RunInfo(
    string Command,
    string Arguments,
    DateTime StartedUtc,
    string Machine,
    int Cores,
    string OperatingSystem,
    string Runtime,
    string GarbageCollector,
    string PooledGen,
    IReadOnlyDictionary<string, string> Peers)
{
    public static RunInfo Capture(string command, Arguments arguments, IEnumerable<NativePeer> peers) => new(
        command,
        arguments.Text,
        DateTime.UtcNow,
        CpuModel(),
        Environment.ProcessorCount,
        RuntimeInformation.OSDescription,
        RuntimeInformation.FrameworkDescription,
        (GCSettings.IsServerGC ? "server" : "workstation") + " GC, latency mode " + GCSettings.LatencyMode,
        typeof(PooledHeap).Assembly.GetName().Version?.ToString() ?? "unknown",
        peers.Distinct().ToDictionary(p => p.Name, p => p.Version));

    public string ToMarkdown() =>
        $"Run of {StartedUtc:yyyy-MM-dd HH:mm} UTC: `{Command} {Arguments}`. {Machine}, {Cores} cores; {OperatingSystem}; "
        + $"{Runtime}, {GarbageCollector}; PooledGen {PooledGen}"
        + (Peers.Count == 0 ? "." : "; " + string.Join(", ", Peers.Select(p => $"{p.Key} {p.Value}")) + ".");

    private static string CpuModel()
    {
        const string File = "/proc/cpuinfo";
        var line = System.IO.File.Exists(File)
            ? System.IO.File.ReadLines(File).FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))
            : null;
        return line?.Split(':', 2)[1].Trim() ?? RuntimeInformation.ProcessArchitecture.ToString();
    }
}

/// <summary>Writes a program's results: <c>NAME.md</c> (what it printed) and <c>NAME.json</c> (every figure).</summary>
internal static class ResultFiles
{
    /// <summary>
    /// The folder given with --out, or <c>artifacts/workloads</c> at the repository root (ignored by git), or
    /// <c>workloads-results</c> in the current folder outside a checkout.
    /// </summary>
    public static string Folder(Arguments arguments)
    {
        if (arguments.String("out") is { } given)
        {
            return Path.GetFullPath(given);
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "PooledGen.sln")))
            {
                return Path.Combine(dir.FullName, "artifacts", "workloads");
            }
        }

        return Path.GetFullPath("workloads-results");
    }

    public static void Write(string folder, string name, string markdown, object figures)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, name + ".md"), markdown);
        File.WriteAllText(Path.Combine(folder, name + ".json"),
            System.Text.Json.JsonSerializer.Serialize(figures, figures.GetType(), Json.Options) + "\n");
        Console.WriteLine($"Wrote {Path.Combine(folder, name)}.md and .json");
    }
}

/// <summary>The JSON settings of every file and child-process line: indented (files), camelCase, NaN as a string.</summary>
internal static class Json
{
    public static readonly System.Text.Json.JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.CamelCase,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
        // The files are read by people and scripts, not embedded in HTML: keep backticks and "×" as they are.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static readonly System.Text.Json.JsonSerializerOptions Line = new(Options) { WriteIndented = false };
}
