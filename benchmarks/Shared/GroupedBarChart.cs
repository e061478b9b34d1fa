using System;
using System.Collections.Generic;
using System.Linq;

namespace PooledGen.Benchmarks.Shared;

// Compiled into the benchmark programs and the report: every bar chart of the benchmarks has this one look.

/// <summary>
/// A grouped bar chart as a PNG: one group of bars per category along the bottom (a size, a mode), one bar per series
/// in each group (an allocator or a variant), the series named in a legend on the right; a series missing from a
/// group leaves a gap.
/// </summary>
internal static class GroupedBarChart
{
    /// <summary>Draws the chart and writes it to <paramref name="path"/>.</summary>
    /// <param name="path">The PNG file.</param>
    /// <param name="title">The title above the chart.</param>
    /// <param name="groupAxis">What the groups are, under the bottom axis.</param>
    /// <param name="valueAxis">What the bars measure, beside the left axis (say which way is better).</param>
    /// <param name="groups">The groups' labels, left to right.</param>
    /// <param name="series">The series' labels, in bar order within a group.</param>
    /// <param name="value">The bar of (group index, series index), or null where there is none.</param>
    public static void Write(string path, string title, string groupAxis, string valueAxis,
        IReadOnlyList<string> groups, IReadOnlyList<string> series, Func<int, int, double?> value)
    {
        var plot = new ScottPlot.Plot();
        // Ten colours keep the report's charts as they were; more series than that need the wider palette.
        ScottPlot.IPalette palette = series.Count <= 10 ? new ScottPlot.Palettes.Category10() : new ScottPlot.Palettes.Category20();
        var groupWidth = series.Count + 1.5;
        var bars = new List<ScottPlot.Bar>();
        for (var g = 0; g < groups.Count; g++)
        {
            for (var s = 0; s < series.Count; s++)
            {
                if (value(g, s) is { } bar && double.IsFinite(bar))
                {
                    bars.Add(new ScottPlot.Bar { Position = g * groupWidth + s, Value = bar, FillColor = palette.GetColor(s), LineWidth = 0 });
                }
            }
        }

        plot.Add.Bars(bars);
        for (var s = 0; s < series.Count; s++)
        {
            plot.Legend.ManualItems.Add(new ScottPlot.LegendItem { LabelText = series[s], FillColor = palette.GetColor(s) });
        }

        var ticks = groups.Select((label, g) => new ScottPlot.Tick(g * groupWidth + (series.Count - 1) / 2.0, label)).ToArray();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks);
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        plot.Axes.Bottom.Label.Text = groupAxis;
        plot.Axes.Left.Label.Text = valueAxis;
        plot.Title(title);
        plot.Axes.Margins(bottom: 0);
        plot.ShowLegend(ScottPlot.Edge.Right);
        plot.SavePng(path, 1000 + 12 * Math.Max(0, groups.Count * series.Count - 40), 520);
    }
}
