using System;
using System.Globalization;

namespace PooledGen;

/// <summary>
/// One start-up setting as the process gave it: an AppContext switch (e.g. <c>PooledGen.ArenaSize</c>) or, when that
/// is not set, an environment variable (<c>POOLEDGEN_ARENA_SIZE</c>), with the text it was given, so that a refusal
/// names exactly what the user wrote and where.
/// </summary>
/// <param name="Name">The switch or variable, e.g. <c>POOLEDGEN_ARENA_SIZE</c>.</param>
/// <param name="IsEnvironmentVariable">True for an environment variable, false for an AppContext switch.</param>
/// <param name="Text">The value as given.</param>
/// <param name="Value">The value as a number.</param>
internal sealed record StartupSwitch(string Name, bool IsEnvironmentVariable, string Text, long Value)
{
    // Nothing is fixed when a setting is refused, so both ways out work.
    private const string Fix =
        "Correct or remove the setting, or call PooledHeap.Configure(new PooledHeapOptions { ... }) before the first allocation.";

    /// <summary>The switch, else the environment variable, else null when neither is set.</summary>
    /// <exception cref="InvalidOperationException">The value is not a whole number up to <paramref name="max"/>.</exception>
    public static StartupSwitch? Read(string appContextName, string environmentName, long max,
        Func<string, object?> appContextData, Func<string, string?> environment, string unit = "bytes")
    {
        object? given = appContextData(appContextName);
        bool fromEnvironment = given is null;
        if (fromEnvironment)
        {
            given = environment(environmentName);
        }

        if (given is null)
        {
            return null;
        }

        string name = fromEnvironment ? environmentName : appContextName;
        string text = Convert.ToString(given, CultureInfo.InvariantCulture) ?? "";
        long? value = given switch
        {
            int i => i,
            long l => l,
            string s when long.TryParse(s.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out long parsed) => parsed,
            _ => null,
        };

        var setting = new StartupSwitch(name, fromEnvironment, text, value ?? 0);
        if (value is null || value > max)
        {
            throw new InvalidOperationException(
                $"PooledGen: {setting}, which is not a whole number of {unit} up to {max.ToString(CultureInfo.InvariantCulture)}. {Fix}");
        }

        return setting;
    }

    /// <summary>
    /// The exception for settings that are numbers but out of range (<paramref name="reason"/> says how), naming
    /// <paramref name="culprit"/>, or all the switches when the setting at fault was left at its default.
    /// </summary>
    public static InvalidOperationException OutOfRange(StartupSwitch? culprit, string reason) =>
        new(culprit is null
            ? $"PooledGen: the start-up settings from the AppContext switches and POOLEDGEN_* environment variables do not fit together: {reason} {Fix}"
            : $"PooledGen: {culprit}: {reason} {Fix}");

    /// <summary>What the user wrote and where: <c>the environment variable POOLEDGEN_ARENA_SIZE is 'abc'</c>.</summary>
    public override string ToString() =>
        $"the {(IsEnvironmentVariable ? "environment variable" : "AppContext switch")} {Name} is '{Text}'";
}
