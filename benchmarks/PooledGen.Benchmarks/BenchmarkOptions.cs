using System;
using System.Linq;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Exporters.Json;
using BenchmarkDotNet.Filters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using Perfolizer.Horology;

namespace PooledGen.Benchmarks;

/// <summary>The run settings shared by the suites and the processes BenchmarkDotNet starts for them.</summary>
public static class BenchmarkOptions
{
    /// <summary>Set by <c>--quick</c>; read from the environment so that the benchmark child processes see it too.</summary>
    public const string QuickVariable = "POOLEDGEN_BENCH_QUICK";

    /// <summary>A quick run: 32-byte payloads only, fewer and shorter iterations. For checking, not for publishing.</summary>
    public static bool Quick => Environment.GetEnvironmentVariable(QuickVariable) == "1";

    /// <summary>
    /// The job: two launches (separate processes, since load from other work on a shared machine comes and goes),
    /// each with 3 warm-up and 6 measured iterations of 200 ms: the full run of about 160 cases takes about 30
    /// minutes on 2 cores. MemoryDiagnoser on; GitHub markdown and JSON exports; peers that are not installed
    /// filtered out.
    /// </summary>
    public static IConfig Create(string artifactsPath)
    {
        var job = Quick
            ? Job.Default.WithLaunchCount(1).WithWarmupCount(1).WithIterationCount(3)
                .WithIterationTime(TimeInterval.FromMilliseconds(100)).WithId("Quick")
            : Job.Default.WithLaunchCount(2).WithWarmupCount(3).WithIterationCount(6)
                .WithIterationTime(TimeInterval.FromMilliseconds(200)).WithId("Short");

        return ManualConfig.CreateEmpty()
            .AddJob(job)
            .AddColumnProvider(DefaultColumnProviders.Instance)
            .AddColumn(StatisticColumn.Median)
            .AddLogger(BenchmarkDotNet.Loggers.ConsoleLogger.Default)
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddExporter(MarkdownExporter.GitHub, JsonExporter.Brief)
            .AddFilter(new SimpleFilter(benchmark => Available(benchmark.Descriptor.WorkloadMethod.Name)))
            .WithSummaryStyle(SummaryStyle.Default.WithRatioStyle(RatioStyle.Trend))
            .WithOptions(ConfigOptions.DisableLogFile)
            .WithArtifactsPath(artifactsPath);
    }

    /// <summary>Prints one line per native peer that is not installed; its benchmarks are then skipped.</summary>
    public static void ReportMissingPeers()
    {
        foreach (var peer in NativePeer.All.Where(p => !p.IsAvailable))
        {
            Console.WriteLine($"Skipping {peer.Name}: {peer.Missing}");
        }
    }

    private static bool Available(string method) =>
        !NativePeer.All.Any(peer => !peer.IsAvailable && method.StartsWith(peer.Name, StringComparison.Ordinal));
}
