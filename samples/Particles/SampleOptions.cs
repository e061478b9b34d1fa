namespace Particles;

/// <summary>The sample's command line: <c>[--frames N] [--out DIR] [--arena-map FILE]</c>.</summary>
/// <param name="Frames">Frames to simulate, or null for the default of <see cref="SimulationSettings"/>.</param>
/// <param name="OutputFolder">Where the files the run writes go: the current directory unless <c>--out</c> names one.</param>
/// <param name="ArenaMapFile">The arena-map picture: <c>--arena-map</c>, else <c>arena-map.svg</c> in <see cref="OutputFolder"/>.</param>
public sealed record SampleOptions(int? Frames, string OutputFolder, string ArenaMapFile)
{
    public const string Usage =
        "usage: dotnet run -c Release --project samples/Particles [-- [--frames N] [--out DIR] [--arena-map FILE]]\n" +
        "  --frames N         frames to simulate (default 180)\n" +
        "  --out DIR          folder for the files the run writes (default: the current directory)\n" +
        "  --arena-map FILE   the arena-map picture of the last frame (default: arena-map.svg in the --out folder)";

    /// <summary>
    /// Reads <paramref name="args"/>; returns null for <c>--help</c> (<paramref name="error"/> null) and for a bad argument
    /// (<paramref name="error"/> says why).
    /// </summary>
    public static SampleOptions? Parse(string[] args, out string? error)
    {
        int? frames = null;
        string? folder = null, arenaMap = null;
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--frames" when int.TryParse(value, out var count) && count > 0:
                    frames = count;
                    break;
                case "--out" when !string.IsNullOrWhiteSpace(value):
                    folder = value;
                    break;
                case "--arena-map" when !string.IsNullOrWhiteSpace(value):
                    arenaMap = value;
                    break;
                case "--frames" or "--out" or "--arena-map":
                    var wanted = args[i] switch { "--frames" => "a whole number above 0", "--out" => "a folder", _ => "a file name" };
                    error = $"{args[i]} needs {wanted}, got {(value is null ? "nothing" : $"'{value}'")}";
                    return null;
                case "--help" or "-h":
                    error = null;
                    return null;
                default:
                    error = $"unknown argument '{args[i]}'";
                    return null;
            }

            i++;
        }

        error = null;
        folder = Path.GetFullPath(folder ?? ".");
        return new SampleOptions(frames, folder, arenaMap is null ? Path.Combine(folder, "arena-map.svg") : Path.GetFullPath(arenaMap));
    }
}
