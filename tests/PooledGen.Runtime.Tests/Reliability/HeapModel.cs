using System;
using System.Collections.Generic;
using System.Linq;
using CsCheck;

namespace PooledGen.Reliability;

/// <summary>What one step of a model-based test does.</summary>
internal enum StepKind
{
    /// <summary><see cref="ArenaHeap.Allocate(nuint)"/> of <see cref="Step.A"/> bytes.</summary>
    Allocate,

    /// <summary><see cref="ArenaHeap.Alloc{T}()"/> of <see cref="BlockType.All"/>[<see cref="Step.A"/>].</summary>
    AllocTyped,

    /// <summary>Free the live block at index <see cref="Step.A"/> modulo the live count, by route <see cref="Step.B"/>.</summary>
    Free,

    /// <summary><see cref="Step.B"/> allocations of <see cref="Step.A"/> bytes: fills pools and takes new arenas.</summary>
    Burst,

    /// <summary>Free every live block whose index is a multiple of <see cref="Step.A"/> (1 frees all), by route <see cref="Step.B"/>.</summary>
    FreeEvery,

    /// <summary><see cref="ArenaHeap.Trim"/> in the middle of the run.</summary>
    Trim,
}

/// <summary>One step of a model-based test, printed readably in a shrunk counterexample.</summary>
internal readonly record struct Step(StepKind Kind, int A, int B)
{
    public override string ToString() => Kind switch
    {
        StepKind.Allocate => $"Allocate({A})",
        StepKind.AllocTyped => $"Alloc<{BlockType.All[A].Name}>()",
        StepKind.Free => $"Free(#{A}, {(FreeRoute)B})",
        StepKind.Burst => $"Burst({B} x {A})",
        StepKind.FreeEvery => $"FreeEvery({A}, {(FreeRoute)B})",
        _ => "Trim()",
    };
}

/// <summary>
/// The model of a heap: the list of live blocks. It applies steps to a real heap and to itself, checking every
/// invariant (<see cref="HeapInvariants.Check(ArenaHeap, IReadOnlyCollection{LiveBlock})"/>) after each.
/// </summary>
internal sealed class HeapModel(ArenaHeap heap)
{
    private readonly List<Allocation> _live = [];
    private long _serial;

    /// <summary>Sizes for untyped requests: every small class, the edges around 16 and 512, and the large path up to 2048.</summary>
    public static readonly Gen<int> Size = Gen.Frequency(
        (8, Gen.Int[1, 512]),
        (3, Gen.Int[513, 2048]),
        (2, Gen.OneOf(0, 1, 15, 16, 17, 511, 512, 513)));

    private static readonly Gen<int> Route = Gen.Int[0, Allocation.RouteCount - 1];

    /// <summary>A random step; frees are as likely as allocations, so the live set grows and shrinks.</summary>
    public static readonly Gen<Step> AnyStep = Gen.Frequency(
        (30, Size.Select(size => new Step(StepKind.Allocate, size, 0))),
        (15, Gen.Int[0, BlockType.All.Length - 1].Select(type => new Step(StepKind.AllocTyped, type, 0))),
        (40, Gen.Select(Gen.Int[0, 1 << 20], Route, (index, route) => new Step(StepKind.Free, index, route))),
        (4, Gen.Select(Size, Gen.Int[1, 1500], (size, count) => new Step(StepKind.Burst, size, count))),
        (4, Gen.Select(Gen.Int[1, 4], Route, (every, route) => new Step(StepKind.FreeEvery, every, route))),
        (2, Gen.Const(new Step(StepKind.Trim, 0, 0))));

    /// <summary>The live blocks.</summary>
    public IReadOnlyCollection<LiveBlock> Live => _live.Select(a => a.Block).ToList();

    /// <summary>The live allocations, for tests that free some by hand.</summary>
    public IReadOnlyList<Allocation> Allocations => _live;

    /// <summary>Forgets an allocation the test freed by hand.</summary>
    public void Forget(Allocation allocation) => _live.Remove(allocation);

    /// <summary>A heap holding a deterministic mix of <paramref name="count"/> typed and untyped blocks over every class and the large path.</summary>
    public static HeapModel Populated(ArenaHeap heap, int seed, int count = 400)
    {
        var model = new HeapModel(heap);
        var random = new Random(seed);
        for (int i = 0; i < count; i++)
        {
            model.Apply(random.Next(3) == 0
                ? new Step(StepKind.AllocTyped, random.Next(BlockType.All.Length), 0)
                : new Step(StepKind.Allocate, random.Next(4) == 0 ? random.Next(513, 2049) : random.Next(0, 513), 0));
            if (random.Next(4) == 0)
            {
                model.Apply(new Step(StepKind.Free, random.Next(1 << 20), random.Next(Allocation.RouteCount)));
            }
        }

        HeapInvariants.Check(heap, model.Live);
        return model;
    }

    /// <summary>Blocks the model has allocated, ever; those not live any more it has freed.</summary>
    public long Allocated { get; private set; }

    /// <summary>Checks the heap's allocation and free counters against the model's (a heap only the model uses).</summary>
    public void CheckCounts(PooledHeapStatistics stats)
    {
        long freed = Allocated - _live.Count;
        if (stats.Allocations != Allocated || stats.Frees != freed)
        {
            throw new HeapInvariantException($"the heap counts {stats.Allocations} allocations and {stats.Frees} frees; the model made {Allocated} and {freed}");
        }
    }

    /// <summary>Applies <paramref name="step"/> to the heap and to the model. An exception leaves both in agreement.</summary>
    public void Apply(Step step)
    {
        switch (step.Kind)
        {
            case StepKind.Allocate:
                _live.Add(Allocation.Untyped(heap, step.A, _serial++));
                Allocated++;
                break;
            case StepKind.AllocTyped:
                _live.Add(BlockType.All[step.A].Allocate(heap, _serial++));
                Allocated++;
                break;
            case StepKind.Free when _live.Count > 0:
                int index = step.A % _live.Count;
                _live[index].CheckAndFree(heap, (FreeRoute)step.B);
                _live[index] = _live[^1];
                _live.RemoveAt(_live.Count - 1);
                break;
            case StepKind.Burst:
                for (int i = 0; i < step.B; i++)
                {
                    _live.Add(Allocation.Untyped(heap, step.A, _serial++));
                    Allocated++;
                }

                break;
            case StepKind.FreeEvery:
                for (int i = _live.Count - 1; i >= 0; i--)
                {
                    if (i % step.A == 0)
                    {
                        _live[i].CheckAndFree(heap, (FreeRoute)step.B);
                        _live.RemoveAt(i);
                    }
                }

                break;
            case StepKind.Trim:
                heap.Trim();
                break;
        }
    }

    /// <summary>Runs <paramref name="steps"/>, checking the invariants after each; then frees all and checks every arena is returned.</summary>
    public static void Run(ArenaHeap heap, Step[] steps)
    {
        var model = new HeapModel(heap);
        for (int i = 0; i < steps.Length; i++)
        {
            try
            {
                model.Apply(steps[i]);
                HeapInvariants.Check(heap, model.Live);
                model.CheckCounts(heap.GetStatistics());
            }
            catch (HeapInvariantException e)
            {
                throw new HeapInvariantException($"after step {i}, {steps[i]}: {e.Message}");
            }
        }

        model.Apply(new Step(StepKind.FreeEvery, 1, 0));
        HeapInvariants.CheckEverythingReturned(heap);
    }
}
