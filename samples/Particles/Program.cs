using Particles;
using PooledGen;

// A particle fountain: tens of thousands of particles, sparks and trails born and expired every frame. Run once with
// [Pooled] structs in PooledGen blocks, then with the same structs in class instances, and compare what each cost.
// At the last frame of the pooled run it writes the heap's arena map, a picture of where the blocks are.
// Usage: dotnet run -c Release --project samples/Particles [-- --frames N --out DIR --arena-map FILE]
if (SampleOptions.Parse(args, out var error) is not { } options)
{
    if (error is not null)
    {
        Console.Error.WriteLine($"Particles: {error}");
    }

    (error is null ? Console.Out : Console.Error).WriteLine(SampleOptions.Usage);
    return error is null ? 0 : 2;
}

var settings = new SimulationSettings();
if (options.Frames is { } frameCount)
{
    settings = settings with { Frames = frameCount };
}

var capacity = settings.ParticlesPerFrame * 64;
Console.WriteLine($"PooledGen particle fountain: {settings.Frames} frames, {settings.ParticlesPerFrame:N0} new particles per frame " +
                  $"({3 * settings.ParticlesPerFrame:N0} during the burst from frame {settings.Frames / 3 + 1} to {2 * settings.Frames / 3})");
// PooledSize and PooledBlockSize are what the generator computed at compile time (-1 where a struct's size is only
// known at run time: see PG0006); the statistics table below shows what the runtime measured.
Console.WriteLine($"  compile-time sizes: {Describe("Particle", Particle.PooledSize, Particle.PooledBlockSize)}, " +
                  $"{Describe("Spark", Spark.PooledSize, Spark.PooledBlockSize)}, {Describe("Trail", Trail.PooledSize, Trail.PooledBlockSize)}");

Console.WriteLine();
Console.WriteLine("== [Pooled] structs in PooledGen blocks");
var pooledWorld = new PooledWorld(capacity);
var pooled = Harness.Run(pooledWorld, settings, output =>
{
    var heap = PooledHeap.GetStatistics();
    output.Write($"  heap {Units.Bytes(heap.BytesInUse),9} in use, {heap.ArenasCurrent,4} arenas ({heap.ArenasReleased} returned)");
});
// The heap's own report and its arena map, taken while the last frame's blocks are still live.
var atLastFrame = new StringWriter();
PooledHeap.WriteStatistics(atLastFrame);
var arenaMap = new StringWriter();
PooledHeap.WriteArenaMap(arenaMap);
Directory.CreateDirectory(Path.GetDirectoryName(options.ArenaMapFile)!);
using (var picture = new StreamWriter(options.ArenaMapFile))
{
    PooledHeap.WriteArenaMapSvg(picture);
}

pooledWorld.Clear();
var trimmed = PooledHeap.Trim();
var afterCleanup = PooledHeap.GetStatistics();

Console.WriteLine();
Console.WriteLine("== The same structs in class instances on the GC heap");
var managedWorld = new ManagedWorld(capacity);
var managed = Harness.Run(managedWorld, settings);
managedWorld.Clear();

Console.WriteLine();
Console.WriteLine("== Results");
Harness.WriteComparison(Console.Out, pooled, managed);

Console.WriteLine();
Console.WriteLine("== PooledGen heap statistics at the last frame");
Console.Write(atLastFrame);

Console.WriteLine();
Console.WriteLine("== PooledGen arena map at the last frame");
Console.WriteLine($"  picture: {options.ArenaMapFile}");
WriteArenaMapSummary(Console.Out, arenaMap.ToString());

Console.WriteLine();
Console.WriteLine("== After freeing every block and Trim()");
Console.WriteLine($"  {afterCleanup.ArenasCurrent} arenas held, {afterCleanup.ArenasReleased} of {afterCleanup.ArenasAllocated} returned to the OS " +
                  $"({Units.Bytes(trimmed)} by Trim), {Units.Bytes(afterCleanup.BytesReserved)} reserved, {Units.Bytes(afterCleanup.BytesInUse)} in use");
return 0;

static string Describe(string name, int size, int blockSize) =>
    size < 0 ? $"{name} known at run time" : $"{name} {size} B in {blockSize}-byte blocks";

// The compact text map has a line per arena, then its totals (and, in debug mode, who holds the sparsest arenas): a
// short map is printed whole, a long one with its first arenas only.
static void WriteArenaMapSummary(TextWriter output, string map)
{
    const int ArenasShown = 12;
    var lines = map.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries);
    var totals = Array.FindIndex(lines, line => line.StartsWith("total:", StringComparison.Ordinal));
    var arenas = lines.Take(totals).Count(IsArena);
    var arenasShown = 0;
    foreach (var (index, line) in lines.Index())
    {
        var isArena = index < totals && IsArena(line);
        if (isArena && ++arenasShown > ArenasShown)
        {
            continue;
        }

        output.WriteLine($"  {line}");
        if (isArena && arenasShown == ArenasShown && arenas > ArenasShown)
        {
            output.WriteLine($"  ... {arenas - ArenasShown} more arenas: every one is in the picture");
        }
    }

    static bool IsArena(string line) => line.StartsWith("0x", StringComparison.Ordinal);
}
