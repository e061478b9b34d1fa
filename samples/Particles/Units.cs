using System.Globalization;

namespace Particles;

internal static class Units
{
    /// <summary>Bytes in the largest binary unit that keeps a number of at least 1.</summary>
    public static string Bytes(long bytes) => bytes switch
    {
        >= 1L << 30 => Format(bytes / (double)(1L << 30), "GiB"),
        >= 1L << 20 => Format(bytes / (double)(1L << 20), "MiB"),
        >= 1L << 10 => Format(bytes / (double)(1L << 10), "KiB"),
        _ => bytes.ToString(CultureInfo.InvariantCulture) + " B",
    };

    private static string Format(double value, string unit) => value.ToString("F1", CultureInfo.InvariantCulture) + " " + unit;
}
