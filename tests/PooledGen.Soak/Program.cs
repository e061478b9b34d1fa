using System.Diagnostics;
using System.Globalization;
using PooledGen;
using PooledGen.Reliability;

// The soak of docs/RELIABILITY.md: for each seed, the multi-threaded stress run on a release heap, a smaller one on a
// debug heap, and model-based sequences for three seconds (all from PooledGen.Runtime.Tests/Reliability), until the
// time is up. Exit code 0 when every check
// held, 1 on the first fault (printed with the seed that replays it).
//
//   dotnet run -c Release --project tests/PooledGen.Soak -- --minutes 5 --seed 1 --threads 8
//
// The same settings can come from POOLEDGEN_SOAK_MINUTES, POOLEDGEN_SOAK_SEED and POOLEDGEN_SOAK_THREADS.

double minutes = Setting("--minutes", "POOLEDGEN_SOAK_MINUTES", 5.0);
int firstSeed = (int)Setting("--seed", "POOLEDGEN_SOAK_SEED", 1);
int threads = (int)Setting("--threads", "POOLEDGEN_SOAK_THREADS", 8);

Console.WriteLine($"PooledGen soak: {minutes} minutes, first seed {firstSeed}, {threads} threads at a time, {Environment.ProcessorCount} cores, .NET {Environment.Version}");
var clock = Stopwatch.StartNew();
var deadline = TimeSpan.FromMinutes(minutes);
long operations = 0, debugOperations = 0, threadsStarted = 0, foreignFrees = 0, orphaned = 0, sequences = 0, steps = 0, peakArenas = 0;
int seed = firstSeed;
var seeds = new List<int>();
try
{
    while (clock.Elapsed < deadline)
    {
        seeds.Add(seed);
        var options = new StressOptions { Seed = seed, Threads = threads, Rounds = 8, LivesPerRound = 4, StepsPerLife = 25_000 };
        StressResult result = StressRun.Run(options);
        Console.WriteLine($"[{clock.Elapsed:hh\\:mm\\:ss}] stress {result}");
        operations += result.Operations;
        threadsStarted += result.ThreadsStarted;
        foreignFrees += result.FreedByAnotherThread;
        orphaned += result.OrphanedByExitingThreads;
        peakArenas = Math.Max(peakArenas, result.PeakArenas);

        // The same run, smaller, on a debug heap: guards, stamps and allocation sites under eight threads.
        StressResult debug = StressRun.Run(options with { Rounds = 2, LivesPerRound = 2, StepsPerLife = 3_000, Debug = true });
        Console.WriteLine($"[{clock.Elapsed:hh\\:mm\\:ss}] debug stress {debug}");
        debugOperations += debug.Operations;

        // Model-based sequences for a few seconds, each from its own deterministic seed.
        var modelClock = Stopwatch.StartNew();
        int modelRuns = 0;
        for (; modelClock.Elapsed < TimeSpan.FromSeconds(3); modelRuns++)
        {
            int modelSeed = StressRun.SeedOf(seed, modelRuns, -2, 0);
            Step[] sequence = RandomSteps(new Random(modelSeed));
            try
            {
                using var heap = new ArenaHeap();
                HeapModel.Run(heap, sequence);
            }
            catch (Exception e)
            {
                throw new HeapInvariantException($"model sequence of seed {seed}, run {modelRuns} ({sequence.Length} steps: {string.Join(", ", sequence)}): {e.Message}");
            }

            steps += sequence.Length;
        }

        sequences += modelRuns;
        Console.WriteLine($"[{clock.Elapsed:hh\\:mm\\:ss}] model seed {seed}: {modelRuns} sequences held every invariant");
        seed++;
    }
}
catch (Exception e)
{
    Console.WriteLine($"FAILED at seed {seed} after {clock.Elapsed}: {e}");
    Console.WriteLine($"replay: dotnet run -c Release --project tests/PooledGen.Soak -- --minutes 0.01 --seed {seed} --threads {threads}");
    return 1;
}

Console.WriteLine();
Console.WriteLine($"soak passed in {clock.Elapsed:hh\\:mm\\:ss}: seeds {seeds.First()}..{seeds.Last()} ({seeds.Count} stress runs), " +
    $"{operations:N0} stress operations, {threadsStarted:N0} threads started ({threads} at a time), {foreignFrees:N0} cross-thread frees, " +
    $"{orphaned:N0} blocks left by exiting threads, peak {peakArenas} arenas; {debugOperations:N0} operations on debug heaps; " +
    $"{sequences:N0} model sequences of {steps:N0} steps");
return 0;

// The model test's step mix (HeapModel.AnyStep) drawn from System.Random, so that a seed replays exactly.
static Step[] RandomSteps(Random random)
{
    var sequence = new Step[random.Next(1, 200)];
    for (int i = 0; i < sequence.Length; i++)
    {
        int roll = random.Next(95);
        sequence[i] = roll switch
        {
            < 30 => new Step(StepKind.Allocate, RandomSize(random), 0),
            < 45 => new Step(StepKind.AllocTyped, random.Next(BlockType.All.Length), 0),
            < 85 => new Step(StepKind.Free, random.Next(1 << 20), random.Next(Allocation.RouteCount)),
            < 89 => new Step(StepKind.Burst, RandomSize(random), random.Next(1, 1500)),
            < 93 => new Step(StepKind.FreeEvery, random.Next(1, 5), random.Next(Allocation.RouteCount)),
            _ => new Step(StepKind.Trim, 0, 0),
        };
    }

    return sequence;
}

static int RandomSize(Random random) => random.Next(13) switch
{
    < 8 => random.Next(1, 513),
    < 11 => random.Next(513, 2049),
    _ => new[] { 0, 1, 15, 16, 17, 511, 512, 513 }[random.Next(8)],
};

double Setting(string option, string variable, double fallback)
{
    int at = Array.IndexOf(args, option);
    string? text = at >= 0 && at + 1 < args.Length ? args[at + 1] : Environment.GetEnvironmentVariable(variable);
    return text is null ? fallback : double.Parse(text, CultureInfo.InvariantCulture);
}
