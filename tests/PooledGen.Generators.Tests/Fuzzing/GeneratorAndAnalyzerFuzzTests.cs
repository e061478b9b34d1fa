namespace PooledGen.Generators.Tests.Fuzzing;

/// <summary>
/// Hundreds of mutated and pathological sources through the generator and every analyzer (see <see cref="FuzzHarness"/>
/// for what is judged). The mutants come from fixed seeds, so a failure names its case ("seed source 1, mutant 13")
/// and replays exactly.
/// </summary>
public class GeneratorAndAnalyzerFuzzTests
{
    /// <summary>Mutants per seed source, and of windows of the layout corpus.</summary>
    private const int MutantsPerSeed = 30;

    /// <summary>
    /// Cases that fail for a reported bug, by name: kept out of the healthy theory and run by a skipped test that
    /// names the bug, until it is fixed. (The layout overflows on impossible sizes and the clash with a struct's own
    /// Alloc, Free or PooledSize, found here first, are fixed.)
    /// </summary>
    private static readonly Dictionary<string, string> KnownBugs = new();

    /// <summary>Every case by name: the seed sources as written, their mutants, and the pathological sources.</summary>
    private static readonly Dictionary<string, Func<string>> Cases = AllCases();

    public static TheoryData<string> HealthyCases() => new(Cases.Keys.Where(name => !KnownBugs.ContainsKey(name)));

    [Theory]
    [MemberData(nameof(HealthyCases))]
    public void A_source_neither_throws_nor_hangs_and_compiles_or_is_diagnosed(string name) => FuzzHarness.Check(name, Cases[name]());

    [Fact]
    public void A_struct_declaring_a_generated_member_is_diagnosed_not_broken() =>
        FuzzHarness.Check("pooled struct already declaring Alloc and Free", Cases["pooled struct already declaring Alloc and Free"]());

    [Fact]
    public void The_fuzzer_runs_hundreds_of_cases_and_every_known_bug_names_a_real_case()
    {
        Assert.True(Cases.Count >= 300, $"only {Cases.Count} cases");
        Assert.All(KnownBugs.Keys, name => Assert.True(Cases.ContainsKey(name), $"no case named '{name}'"));
    }

    [Fact]
    public void The_analyzers_found_by_reflection_include_the_known_ones()
    {
        string[] found = FuzzHarness.Analyzers.Select(a => a.GetType().Name).ToArray();
        Assert.Contains("PooledAnalyzer", found);
        Assert.Contains("OwnershipAnalyzer", found);
    }

    private static Dictionary<string, Func<string>> AllCases()
    {
        var cases = new Dictionary<string, Func<string>>();
        for (int seed = 0; seed <= FuzzCorpus.Seeds.Length; seed++)
        {
            int s = seed;
            cases[$"seed source {s}"] = () => s < FuzzCorpus.Seeds.Length ? FuzzCorpus.Seeds[s] : FuzzCorpus.LayoutCorpus();
            for (int mutant = 0; mutant < MutantsPerSeed; mutant++)
            {
                int m = mutant;
                cases[$"seed source {s}, mutant {m}"] = () => SourceMutator.Mutate(MutationBase(s, m), (s * 1000) + m);
            }
        }

        foreach ((string name, string source) in FuzzCorpus.Pathological)
        {
            cases[name] = () => "using PooledGen;\n" + source;
        }

        return cases;
    }

    // The layout corpus whole costs seconds per run (a hundred structs, each generated): its mutants start from a
    // window of 30 of its lines under its own usings, a different window for each mutant.
    private static string MutationBase(int seed, int mutant) =>
        seed < FuzzCorpus.Seeds.Length ? FuzzCorpus.Seeds[seed] : FuzzCorpus.CorpusWindow(mutant * 7, 30);
}
