using System.Diagnostics;
using System.Globalization;
using PooledGen;

namespace Particles;

/// <summary>What one run of the fountain cost.</summary>
/// <remarks>CPU time counts every thread of the process, the GC's background threads included.</remarks>
public sealed record RunReport(
    int Frames, TimeSpan Elapsed, TimeSpan CpuTime, long Allocations, long PeakLive, int Gen0, int Gen1, int Gen2, long GcAllocatedBytes, TimeSpan GcPause)
{
    public double FramesPerSecond => Frames / Elapsed.TotalSeconds;
}

/// <summary>Runs a world frame by frame with a progress line, and measures the GC around the whole run.</summary>
public static class Harness
{
    private static readonly CultureInfo s_invariant = CultureInfo.InvariantCulture;

    public static RunReport Run(IWorld world, SimulationSettings settings, Action<TextWriter>? progressDetail = null)
    {
        var random = new Random32(20261126);
        var output = Console.Out;

        // Start from a quiet GC so that the counts below belong to this run alone.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var gen0 = GC.CollectionCount(0);
        var gen1 = GC.CollectionCount(1);
        var gen2 = GC.CollectionCount(2);
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var pause = GC.GetTotalPauseDuration();
        var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;

        long peakLive = 0;
        var clock = Stopwatch.StartNew();
        var lastReport = TimeSpan.Zero;
        for (var frame = 1; frame <= settings.Frames; frame++)
        {
            world.Frame(frame, ref random, settings);
            peakLive = Math.Max(peakLive, (long)world.LiveParticles + world.LiveSparks + world.LiveTrails);

            if (frame % settings.ReportEvery == 0 || frame == settings.Frames)
            {
                var now = clock.Elapsed;
                var frames = frame % settings.ReportEvery == 0 ? settings.ReportEvery : frame % settings.ReportEvery;
                output.Write(string.Format(
                    s_invariant,
                    "  frame {0,4}/{1}  particles {2,9:N0}  sparks {3,9:N0}  trails {4,7:N0}  {5,5:F1} ms/frame",
                    frame, settings.Frames, world.LiveParticles, world.LiveSparks, world.LiveTrails, (now - lastReport).TotalMilliseconds / frames));
                progressDetail?.Invoke(output);
                output.WriteLine();
                lastReport = now;
            }
        }

        clock.Stop();
        process.Refresh();
        return new RunReport(
            settings.Frames,
            clock.Elapsed,
            process.TotalProcessorTime - cpu,
            world.Allocations,
            peakLive,
            GC.CollectionCount(0) - gen0,
            GC.CollectionCount(1) - gen1,
            GC.CollectionCount(2) - gen2,
            GC.GetTotalAllocatedBytes(precise: true) - allocated,
            GC.GetTotalPauseDuration() - pause);
    }

    /// <summary>The pooled and the managed run side by side.</summary>
    public static void WriteComparison(TextWriter output, RunReport pooled, RunReport managed)
    {
        void Row(string label, string left, string right) =>
            output.WriteLine(string.Format(s_invariant, "  {0,-30}{1,18}{2,18}", label, left, right));

        Row("", "[Pooled] structs", "class instances");
        Row("frames per second", pooled.FramesPerSecond.ToString("F1", s_invariant), managed.FramesPerSecond.ToString("F1", s_invariant));
        Row("run time", Seconds(pooled.Elapsed), Seconds(managed.Elapsed));
        Row("CPU time, all threads", Seconds(pooled.CpuTime), Seconds(managed.CpuTime));
        Row("allocations", pooled.Allocations.ToString("N0", s_invariant), managed.Allocations.ToString("N0", s_invariant));
        Row("peak live objects", pooled.PeakLive.ToString("N0", s_invariant), managed.PeakLive.ToString("N0", s_invariant));
        Row("GC collections gen0/gen1/gen2", $"{pooled.Gen0}/{pooled.Gen1}/{pooled.Gen2}", $"{managed.Gen0}/{managed.Gen1}/{managed.Gen2}");
        Row("GC pause time", Milliseconds(pooled.GcPause), Milliseconds(managed.GcPause));
        Row("bytes allocated on the GC heap", Units.Bytes(pooled.GcAllocatedBytes), Units.Bytes(managed.GcAllocatedBytes));
    }

    private static string Seconds(TimeSpan time) => time.TotalSeconds.ToString("F2", s_invariant) + " s";

    private static string Milliseconds(TimeSpan time) => time.TotalMilliseconds.ToString("F0", s_invariant) + " ms";
}
