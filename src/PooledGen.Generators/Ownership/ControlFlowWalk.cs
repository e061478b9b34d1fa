using System;
using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;

namespace PooledGen.Generators.Ownership;

/// <summary>The transfer functions a <see cref="ControlFlowWalk{TState}"/> runs: what each step does to a state.</summary>
/// <typeparam name="TState">The flow state at one program point.</typeparam>
internal interface IFlowTransfer<TState>
    where TState : class
{
    TState Clone(TState state);

    /// <summary>Joins <paramref name="from"/> into <paramref name="into"/>; true when <paramref name="into"/> changed.</summary>
    bool Join(TState into, TState from);

    /// <summary>Runs one statement-level operation of a block, or a block's branch value (<paramref name="isReturnValue"/> when it is returned).</summary>
    void Transfer(IOperation operation, TState state, bool isReturnValue);

    /// <summary>Narrows the state on the edge where <paramref name="condition"/> has the value <paramref name="conditionValue"/>.</summary>
    void Refine(IOperation condition, bool conditionValue, TState state);

    /// <summary>A branch leaves <paramref name="region"/>: its locals and temporaries go out of scope.</summary>
    void Leave(ControlFlowRegion region, TState state);

    /// <summary>The state leaves the body: at its exit, or by an explicit throw nothing in the body catches.</summary>
    void Exit(TState state);
}

/// <summary>A body is beyond the bounds the analysis allows itself: it says nothing about that body.</summary>
internal sealed class FlowBoundsExceeded : Exception
{
}

/// <summary>
/// A forward data flow to a fixpoint over one control-flow graph, in block order with a worklist. Finally regions are
/// replayed for each branch that goes through them, so a finally sees the state of the path that entered it rather
/// than a blend of all paths. Any statement in a <c>try</c> with a <c>catch</c> may throw: the state before each
/// statement flows into the handlers. Other implicit exceptions are not followed.
/// </summary>
/// <typeparam name="TState">The flow state at one program point.</typeparam>
internal sealed class ControlFlowWalk<TState>
    where TState : class
{
    // Bounds that keep a pathological method from costing the build: the analysis then stays silent for it.
    private const int StepsPerBlock = 64;

    private readonly ControlFlowGraph _cfg;
    private readonly IFlowTransfer<TState> _transfer;
    private readonly CancellationToken _cancellationToken;
    private readonly bool[] _catchAbove;
    private readonly int _maxSteps;
    private int _steps;

    public ControlFlowWalk(ControlFlowGraph cfg, IFlowTransfer<TState> transfer, CancellationToken cancellationToken)
    {
        _cfg = cfg;
        _transfer = transfer;
        _cancellationToken = cancellationToken;
        _catchAbove = new bool[cfg.Blocks.Length];
        foreach (var block in cfg.Blocks)
        {
            _catchAbove[block.Ordinal] = HasCatchAbove(block);
        }

        _maxSteps = (cfg.Blocks.Length * StepsPerBlock) + 1000;
    }

    /// <summary>Runs from the entry with <paramref name="initial"/> to a fixpoint.</summary>
    /// <exception cref="FlowBoundsExceeded">The body needs more steps than it is allowed.</exception>
    public void Run(TState initial)
    {
        var main = new FlowContext(0, _cfg.Blocks.Length - 1, parent: null);
        JoinInto(main, 0, initial);
        Drain(main);
    }

    private void Drain(FlowContext context)
    {
        while (context.Work.Count > 0)
        {
            _cancellationToken.ThrowIfCancellationRequested();
            if (++_steps > _maxSteps)
            {
                throw new FlowBoundsExceeded();
            }

            var ordinal = context.Work.Min;
            context.Work.Remove(ordinal);
            TransferBlock(_cfg.Blocks[ordinal], _transfer.Clone(context.Entry[ordinal]), context);
        }
    }

    private void JoinInto(FlowContext context, int ordinal, TState state)
    {
        var target = context;
        while (target is not null && (ordinal < target.First || ordinal > target.Last))
        {
            target = target.Parent;
        }

        if (target is null)
        {
            return;
        }

        if (!target.Entry.TryGetValue(ordinal, out var existing))
        {
            target.Entry.Add(ordinal, _transfer.Clone(state));
            target.Work.Add(ordinal);
        }
        else if (_transfer.Join(existing, state))
        {
            target.Work.Add(ordinal);
        }
    }

    private void TransferBlock(BasicBlock block, TState state, FlowContext context)
    {
        if (block.Kind == BasicBlockKind.Exit)
        {
            _transfer.Exit(state);
            return;
        }

        foreach (var operation in block.Operations)
        {
            if (_catchAbove[block.Ordinal])
            {
                PropagateException(block, _transfer.Clone(state), context, explicitThrow: false);
            }

            _transfer.Transfer(operation, state, isReturnValue: false);
        }

        var fallThrough = block.FallThroughSuccessor;
        if (block.BranchValue is { } branchValue)
        {
            _transfer.Transfer(branchValue, state, isReturnValue: fallThrough?.Semantics == ControlFlowBranchSemantics.Return);
        }

        if (block.ConditionalSuccessor is { } conditional && block.BranchValue is { } condition)
        {
            var jumpsWhen = block.ConditionKind == ControlFlowConditionKind.WhenTrue;
            var taken = _transfer.Clone(state);
            _transfer.Refine(condition, jumpsWhen, taken);
            FollowBranch(conditional, taken, context);
            _transfer.Refine(condition, !jumpsWhen, state);
        }

        FollowBranch(fallThrough, state, context);
    }

    private void FollowBranch(ControlFlowBranch? branch, TState state, FlowContext context)
    {
        if (branch is null)
        {
            return;
        }

        switch (branch.Semantics)
        {
            case ControlFlowBranchSemantics.Throw:
            case ControlFlowBranchSemantics.Rethrow:
                PropagateException(branch.Source, state, context, explicitThrow: true);
                return;
            case ControlFlowBranchSemantics.StructuredExceptionHandling:
                if (context.FinallyExit is null)
                {
                    context.FinallyExit = _transfer.Clone(state);
                }
                else
                {
                    _transfer.Join(context.FinallyExit, state);
                }

                return;
            case ControlFlowBranchSemantics.Regular:
            case ControlFlowBranchSemantics.Return:
                break;
            default:
                return; // erroneous code, program termination
        }

        foreach (var region in branch.FinallyRegions)
        {
            if (Replay(region, state, context) is not { } after)
            {
                return; // the finally never completes normally
            }

            state = after;
        }

        // Locals and temporaries that go out of scope (after the finally that may use them).
        foreach (var region in branch.LeavingRegions)
        {
            _transfer.Leave(region, state);
        }

        if (branch.Destination is { } destination)
        {
            JoinInto(context, destination.Ordinal, state);
        }
    }

    /// <summary>Runs a finally region from the state of one path entering it; null if it never completes.</summary>
    private TState? Replay(ControlFlowRegion finallyRegion, TState state, FlowContext context)
    {
        var replay = new FlowContext(finallyRegion.FirstBlockOrdinal, finallyRegion.LastBlockOrdinal, context);
        JoinInto(replay, finallyRegion.FirstBlockOrdinal, state);
        Drain(replay);
        return replay.FinallyExit;
    }

    private void PropagateException(BasicBlock from, TState state, FlowContext context, bool explicitThrow)
    {
        for (var region = from.EnclosingRegion; region is not null; region = region.EnclosingRegion)
        {
            if (region.Kind != ControlFlowRegionKind.Try || region.EnclosingRegion is not { } guarded)
            {
                continue;
            }

            if (guarded.Kind == ControlFlowRegionKind.TryAndFinally)
            {
                if (Replay(guarded.NestedRegions[guarded.NestedRegions.Length - 1], state, context) is not { } after)
                {
                    return;
                }

                state = after;
            }
            else if (guarded.Kind == ControlFlowRegionKind.TryAndCatch)
            {
                // Which handler matches is not known; assuming one does can only hide a leak, never invent one.
                for (var i = 1; i < guarded.NestedRegions.Length; i++)
                {
                    JoinInto(context, guarded.NestedRegions[i].FirstBlockOrdinal, state);
                }

                return;
            }

            region = guarded;
        }

        if (explicitThrow)
        {
            _transfer.Exit(state);
        }
    }

    private static bool HasCatchAbove(BasicBlock block)
    {
        for (var region = block.EnclosingRegion; region is not null; region = region.EnclosingRegion)
        {
            if (region.Kind == ControlFlowRegionKind.Try && region.EnclosingRegion?.Kind == ControlFlowRegionKind.TryAndCatch)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The blocks one worklist owns: the whole graph, or one finally region replayed for one path.</summary>
    private sealed class FlowContext
    {
        public FlowContext(int first, int last, FlowContext? parent)
        {
            First = first;
            Last = last;
            Parent = parent;
        }

        public int First { get; }

        public int Last { get; }

        public FlowContext? Parent { get; }

        public Dictionary<int, TState> Entry { get; } = new();

        public SortedSet<int> Work { get; } = new();

        public TState? FinallyExit { get; set; }
    }
}
