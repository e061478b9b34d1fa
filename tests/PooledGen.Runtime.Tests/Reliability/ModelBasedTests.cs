using CsCheck;
using Xunit.Abstractions;

namespace PooledGen.Reliability.Tests;

/// <summary>
/// Random sequences of allocations and frees over every size class and the large path, typed and untyped, freed
/// through every entry point, against a model of the live blocks; every invariant is checked after every step.
/// CsCheck shrinks a failure to a short sequence and prints it with the seed that replays it
/// (<c>CsCheck_Seed=... dotnet test --filter ModelBasedTests</c>).
/// </summary>
public class ModelBasedTests(ITestOutputHelper output)
{
    [Fact]
    public void Random_sequences_of_alloc_free_and_trim_keep_every_invariant_and_return_every_arena()
    {
        HeapModel.AnyStep.Array[1, 120].Sample(
            steps =>
            {
                using var heap = new ArenaHeap();
                HeapModel.Run(heap, steps);
            },
            writeLine: output.WriteLine,
            iter: 400,
            print: Print);
    }

    [Fact]
    public void On_a_debug_heap_random_sequences_keep_every_invariant_and_trip_no_guard()
    {
        HeapModel.AnyStep.Array[1, 50].Sample(
            steps =>
            {
                using var heap = new ArenaHeap(0, debug: true);
                HeapModel.Run(heap, steps);
            },
            writeLine: output.WriteLine,
            iter: 30,
            print: Print);
    }

    [Fact]
    public void Under_a_cap_every_OutOfMemoryException_is_deserved_names_the_cap_and_leaves_the_heap_consistent()
    {
        Gen.Select(Gen.Int[1, 3], Gen.Int[0, 4096], HeapModel.AnyStep.Array[1, 120]).Sample(
            (arenas, slack, steps) =>
            {
                long cap = (long)arenas * HeapGeometry.ArenaSize + slack;
                using var heap = new ArenaHeap(cap);
                var model = new HeapModel(heap);
                for (int i = 0; i < steps.Length; i++)
                {
                    PooledHeapStatistics before = heap.GetStatistics();
                    try
                    {
                        model.Apply(steps[i]);
                    }
                    catch (OutOfMemoryException e)
                    {
                        AssertDeserved(e, steps[i], before, cap);
                    }

                    HeapInvariants.Check(heap, model.Live);
                    model.CheckCounts(heap.GetStatistics());
                }

                model.Apply(new Step(StepKind.FreeEvery, 1, 0));
                HeapInvariants.CheckEverythingReturned(heap);
            },
            writeLine: output.WriteLine,
            iter: 150,
            print: t => $"cap {t.Item1} arenas + {t.Item2} bytes: {Print(t.Item3)}");
    }

    /// <summary>
    /// An OutOfMemoryException under a cap is right only when the request could not be met within it: a large
    /// request that would pass the cap, or a small one with no free block of its class and no free pool left.
    /// </summary>
    private static void AssertDeserved(OutOfMemoryException e, Step step, PooledHeapStatistics before, long cap)
    {
        Assert.Contains($"cap of {cap} bytes", e.Message);
        int size = step.Kind == StepKind.AllocTyped ? BlockType.All[step.A].Size : step.A;
        bool large = step.Kind == StepKind.AllocTyped ? BlockType.All[step.A].IsLarge : size > PooledHeap.SmallObjectThreshold;
        if (step.Kind == StepKind.Burst)
        {
            return; // part of the burst was served; the model keeps those blocks and the invariants judge the rest
        }

        if (large)
        {
            Assert.True(before.BytesReserved + size > cap, $"{step} was refused with {before.BytesReserved} of {cap} bytes reserved");
        }
        else
        {
            int sizeClass = (Math.Max(size, 1) - 1) >> 4;
            Assert.True(before.SizeClasses[sizeClass].BlocksFree == 0 && before.FreePools == 0 && before.BytesReserved + before.ArenaSize > cap,
                $"{step} was refused with {before.SizeClasses[sizeClass].BlocksFree} free blocks in its class, {before.FreePools} free pools and {before.BytesReserved} of {cap} bytes reserved");
        }
    }

    private static string Print(Step[] steps) => $"{steps.Length} steps: {string.Join(", ", steps)}";
}
