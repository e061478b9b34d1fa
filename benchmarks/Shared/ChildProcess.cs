using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;

namespace PooledGen.Benchmarks.Shared;

// Compiled into both benchmark programs: each runs an allocator in a child process of its own, so that the RSS it
// reads is that allocator's alone.

/// <summary>What a child run of this program printed.</summary>
/// <param name="ExitCode">Its exit code.</param>
/// <param name="Output">Everything it wrote to standard output.</param>
/// <param name="JsonLine">The last line of that output starting with '{' (the child's figures), or null.</param>
internal sealed record ChildRun(int ExitCode, string Output, string? JsonLine)
{
    /// <summary>True when the child exited with 0 and printed its figures.</summary>
    public bool Succeeded => ExitCode == 0 && JsonLine is not null;
}

/// <summary>Runs this same program again as a child process, under `dotnet` when that is how it was started.</summary>
internal static class ChildProcess
{
    public static ChildRun RunSelf(IEnumerable<string> args)
    {
        var self = System.Environment.ProcessPath!;
        var start = new ProcessStartInfo(self) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            start.ArgumentList.Add(typeof(ChildProcess).Assembly.Location);
        }

        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return new ChildRun(process.ExitCode, output, output.Split('\n').LastOrDefault(l => l.StartsWith('{')));
    }
}
