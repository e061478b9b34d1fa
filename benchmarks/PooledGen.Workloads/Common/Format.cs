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

    /// <summary>
    /// A row's name in a chart's legend: the allocator and the call that allocates ("PooledGen: T.Alloc(heap)",
    /// "mimalloc: mi_calloc"), or the allocator alone where the API is a description rather than a call pair.
    /// </summary>
    public static string Legend(string allocator, string api)
    {
        var pair = api.IndexOf(" / ", System.StringComparison.Ordinal);
        var label = pair < 0 ? allocator : $"{allocator}: {api[..pair]}";
        return label.Replace("`", "", System.StringComparison.Ordinal);
    }
}
