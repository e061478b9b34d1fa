using System;
using System.IO;
using System.Linq;
using BenchmarkDotNet.Running;

namespace PooledGen.Benchmarks;

/// <summary>
/// Entry point. <c>memory [--quick] [--out DIR] [--cases churn,bursts,clustered-free,idle,random-free]</c> runs the memory harness; anything else goes to BenchmarkDotNet
/// (for example <c>--filter '*Batch*'</c>), with <c>--quick</c> for a short check and <c>--artifacts DIR</c>.
/// benchmarks/run.sh runs both.
/// </summary>
public static class Program
{
    /// <summary>Runs the harness or the suites.</summary>
    public static int Main(string[] args)
    {
        if (args.Contains("--quick"))
        {
            Environment.SetEnvironmentVariable(BenchmarkOptions.QuickVariable, "1");
            args = args.Where(a => a != "--quick").ToArray();
        }

        if (args.Length > 0 && args[0] == "memory")
        {
            return MemoryHarness.Run(args[1..]);
        }

        var artifacts = Path.GetFullPath("BenchmarkDotNet.Artifacts");
        var index = Array.IndexOf(args, "--artifacts");
        if (index >= 0 && index + 1 < args.Length)
        {
            artifacts = Path.GetFullPath(args[index + 1]);
            args = args.Take(index).Concat(args.Skip(index + 2)).ToArray();
        }

        BenchmarkOptions.ReportMissingPeers();
        var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, BenchmarkOptions.Create(artifacts));
        return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
    }
}
