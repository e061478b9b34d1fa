using System;
using System.Globalization;

namespace PooledGen.Workloads;

/// <summary>The median of a set of runs and their range: the median resists the outliers a shared machine produces.</summary>
/// <param name="Median">The middle run (the mean of the two middle ones for an even count).</param>
/// <param name="Min">The fastest run.</param>
/// <param name="Max">The slowest run.</param>
internal readonly record struct Spread(double Median, double Min, double Max)
{
    public static Spread Of(ReadOnlySpan<double> samples)
    {
        if (samples.IsEmpty)
        {
            throw new ArgumentException("A spread needs at least one sample.", nameof(samples));
        }

        var sorted = samples.ToArray();
        Array.Sort(sorted);
        var middle = sorted.Length / 2;
        var median = sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
        return new Spread(median, sorted[0], sorted[^1]);
    }

    /// <summary>"min–max" with the given format.</summary>
    public string Range(string format) =>
        Min.ToString(format, CultureInfo.InvariantCulture) + "–" + Max.ToString(format, CultureInfo.InvariantCulture);
}
