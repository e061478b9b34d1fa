using System.Globalization;

namespace PooledGen.Workloads;

/// <summary>Numbers as the tables show them, always in the invariant culture.</summary>
internal static class Format
{
    public static string Fixed(double value, int decimals) =>
        value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    /// <summary>"1.23x": how many times longer the row took than its PooledGen counterpart (above 1: PooledGen is faster).</summary>
    public static string Ratio(double value) => double.IsFinite(value) ? Fixed(value, 2) + "x" : "–";

    public static string MiB(long bytes) => bytes < 0 ? "–" : Fixed(bytes / 1048576.0, 1);

    public static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
