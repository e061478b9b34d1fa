using System.Globalization;
using Microsoft.CodeAnalysis.Diagnostics;
using PooledGen.Generators.Layout;

namespace PooledGen.Generators.Diagnostics;

/// <summary>
/// The small-object threshold a project sets with the MSBuild property <c>PooledGenSmallObjectThreshold</c>
/// (made compiler-visible by buildTransitive/PooledGen.props). Structs larger than it get PG0001.
/// </summary>
internal static class SmallObjectThreshold
{
    /// <summary>The largest size class of the runtime, and the threshold when the project sets none.</summary>
    public const int Default = SizeClasses.SmallObjectThreshold;

    /// <summary>The smallest size class: a lower threshold would report every struct.</summary>
    public const int Minimum = SizeClasses.Step;

    /// <summary>Size classes come in steps of this many bytes, so a threshold must be a multiple of it.</summary>
    public const int Step = SizeClasses.Step;

    /// <summary>The key under which the compiler sees the MSBuild property.</summary>
    public const string OptionKey = "build_property.PooledGenSmallObjectThreshold";

    /// <summary>Reads the threshold from the project's options; see <see cref="Parse"/> for the rules.</summary>
    public static int Read(AnalyzerConfigOptions globalOptions) =>
        Parse(globalOptions.TryGetValue(OptionKey, out var value) ? value : null);

    /// <summary>
    /// A multiple of 16 from 16 to 512 is taken as is. Anything else (empty, not a number, out of range, not a
    /// multiple of 16) falls back to <see cref="Default"/>: a typo in a project file must not break the build or
    /// silence PG0001 for every struct, and no threshold other than a size-class boundary has a meaning.
    /// </summary>
    public static int Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)
            || !int.TryParse(value!.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var threshold))
        {
            return Default;
        }

        return threshold is >= Minimum and <= Default && threshold % Step == 0 ? threshold : Default;
    }
}
