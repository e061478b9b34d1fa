using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace PooledGen.Generators.Ownership;

/// <summary>
/// The transfer functions of the handle flow: what each kind of operation does to the variables and the facts of
/// <see cref="HandleState"/>, and the findings it leaves in <see cref="HandleFlowResult"/>.
/// </summary>
internal sealed class HandleTransfer : IFlowTransfer<HandleState>
{
    private readonly OwnershipRoles _roles;
    private readonly HandleIdentities _identities;
    private readonly HandleFlowResult _result;
    private readonly Stack<(IOperation Operation, bool ChildrenDone)> _visitStack = new();
    private readonly System.Action<int> _markLost;

    public HandleTransfer(OwnershipRoles roles, HandleIdentities identities, HandleFlowResult result)
    {
        _roles = roles;
        _identities = identities;
        _result = result;
        _markLost = identity => _result.Lost.Add(identity);
    }

    private enum WriteTarget
    {
        None,
        Assignment,
        Deconstruction,
    }

    /// <summary>The state at the entry: each by-value handle parameter names a borrowed block of its own.</summary>
    public HandleState InitialState()
    {
        var state = new HandleState(_identities.Variables.Count, _identities.Capacity);
        foreach (var pair in _identities.SymbolVariables)
        {
            if (pair.Key is IParameterSymbol)
            {
                var identity = _identities.NewIdentity(IdentityKind.Borrowed, null);
                state.Variables[pair.Value] = identity;
                state.Facts[identity] = HandleFacts.Held;
            }
        }

        return state;
    }

    public HandleState Clone(HandleState state) => state.Clone();

    public bool Join(HandleState into, HandleState from) => into.Join(from, _markLost);

    public void Transfer(IOperation root, HandleState state, bool isReturnValue)
    {
        // Post-order without recursion: deep expression trees must not overflow the compiler's stack.
        var stack = _visitStack;
        stack.Clear();
        stack.Push((root, false));
        while (stack.Count > 0)
        {
            var (operation, childrenDone) = stack.Pop();
            if (operation is IFlowAnonymousFunctionOperation)
            {
                continue;
            }

            if (!childrenDone)
            {
                stack.Push((operation, true));
                foreach (var child in operation.ChildOperations.Reverse())
                {
                    stack.Push((child, false));
                }

                continue;
            }

            switch (operation.Kind)
            {
                case OperationKind.Await:
                    OnAwait(state);
                    break;
                case OperationKind.Invocation when _identities.HeapRead(_roles.DisposedHeap((IInvocationOperation)operation)) is { } heap:
                    ReleaseHeap(heap, state);
                    break;
            }

            if (_roles.IsHandle(operation.Type))
            {
                OnHandleValue(operation, state, isReturnValue && operation == root);
            }
        }
    }

    public void Refine(IOperation condition, bool conditionValue, HandleState state)
    {
        if (NullChecks.Tested(condition, _roles, out var isNullWhenTrue) is not { } tested || conditionValue != isNullWhenTrue)
        {
            return;
        }

        // On this edge the operand is null: a null handle has no block to free, leak or use; a null heap none either.
        if (_identities.TryGetVariable(tested, out var v) && state.Variables[v] is var identity and >= 0)
        {
            state.Facts[identity] = 0;
        }
        else if (_roles.IsHeap(tested.Type) && _identities.HeapRead(tested) is { } heap)
        {
            for (var i = 0; i < _identities.All.Count; i++)
            {
                if (SymbolEqualityComparer.Default.Equals(_identities[i].Heap, heap))
                {
                    state.Facts[i] = 0;
                }
            }
        }
    }

    public void Leave(ControlFlowRegion region, HandleState state)
    {
        foreach (var local in region.Locals)
        {
            if (_identities.TryGetVariable(local, out var v))
            {
                state.Variables[v] = HandleState.Unassigned;
            }
        }

        foreach (var capture in region.CaptureIds)
        {
            if (_identities.TryGetVariable(capture, out var v))
            {
                state.Variables[v] = HandleState.Unassigned;
            }
        }
    }

    public void Exit(HandleState state)
    {
        for (var identity = 0; identity < _identities.All.Count; identity++)
        {
            if (_identities[identity].Kind == IdentityKind.Allocation && (state.Facts[identity] & HandleFacts.Held) != 0)
            {
                _result.Leaks.Add(identity);
            }
        }
    }

    private void OnHandleValue(IOperation operation, HandleState state, bool isReturnValue)
    {
        int identity;
        var isAllocation = false;
        switch (operation)
        {
            case ILocalReferenceOperation or IParameterReferenceOperation or IFlowCaptureReferenceOperation:
                if (!_identities.TryGetVariable(operation, out var v))
                {
                    return;
                }

                switch (WriteTargetOf(operation))
                {
                    case WriteTarget.Assignment:
                        return; // the assigned value does the write
                    case WriteTarget.Deconstruction:
                        WriteVariable(v, Fresh(_identities.IdentityAt(operation, IdentityKind.Borrowed), v, state), state);
                        return;
                }

                if (PassedByReference(operation, out var isOut))
                {
                    // The callee gets the variable, not the block: it may free, keep or replace the handle (resetting a
                    // freed handle through 'ref' is fine), so the old block is handed on and the variable named anew.
                    if (!isOut)
                    {
                        Escape(state.Variables[v], state);
                    }

                    WriteVariable(v, Fresh(_identities.IdentityAt(operation, IdentityKind.Borrowed), v, state), state);
                    return;
                }

                identity = state.Variables[v];
                break;
            case IInvocationOperation call when _identities.TryGetAllocation(call, out var site):
                isAllocation = true;
                identity = Fresh(site, _identities.StoreTarget(call), state);
                if (_identities.FreedByUsingHeap(identity))
                {
                    state.Facts[identity] |= HandleFacts.UsingFrees;
                }

                break;
            case ISimpleAssignmentOperation { IsRef: false } chained when _identities.TryGetVariable(chained.Target, out var assigned):
                identity = state.Variables[assigned]; // 'a = b = X.Alloc()': a names what b now names
                break;
            default:
                identity = NullChecks.IsNullHandle(operation) ? HandleState.NullHandle : HandleState.Unassigned;
                break;
        }

        var use = HandleUses.Classify(operation, _roles);
        var kind = use.Kind;
        if (isReturnValue && kind == HandleUseKind.Discard)
        {
            kind = HandleUseKind.Keep;
        }

        if (isReturnValue)
        {
            HandleFlowResult.Observe(_result.Returns, operation, identity, identity >= 0 ? state.Facts[identity] : (byte)0);
        }

        switch (kind)
        {
            case HandleUseKind.Discard:
            case HandleUseKind.Inspect:
                if (isAllocation)
                {
                    Drop(identity, state);
                }

                break;
            case HandleUseKind.Read:
            case HandleUseKind.Borrow:
                if (isAllocation)
                {
                    Drop(identity, state);
                }
                else
                {
                    HandleFlowResult.Observe(_result.Uses, operation, identity, identity >= 0 ? state.Facts[identity] : (byte)0);
                }

                break;
            case HandleUseKind.Free:
                Free(identity, use.Consumer!, operation, state);
                break;
            case HandleUseKind.Store:
                if (_identities.StoreTarget(operation) is var target and >= 0)
                {
                    WriteVariable(target, identity >= 0 ? identity : IdentityOfUntrackedValue(operation, target, state), state);
                }
                else
                {
                    Escape(identity, state);
                }

                break;
            case HandleUseKind.Keep:
            case HandleUseKind.HandOn:
                if (!isAllocation)
                {
                    HandleFlowResult.Observe(_result.Uses, operation, identity, identity >= 0 ? state.Facts[identity] : (byte)0);
                }

                if (kind == HandleUseKind.Keep)
                {
                    Keep(operation, use.Consumer, identity, state);
                }

                Escape(identity, state);
                break;
            default:
                Escape(identity, state);
                break;
        }
    }

    private int IdentityOfUntrackedValue(IOperation value, int target, HandleState state)
    {
        if (NullChecks.IsNullHandle(value))
        {
            return HandleState.NullHandle;
        }

        // A handle from a field, a call or a collection: not ours to free, but a double free of it is still a bug.
        return Fresh(_identities.IdentityAt(value, IdentityKind.Borrowed), target, state);
    }

    /// <summary>
    /// A site produces a new block. Variables still holding the site's previous block move to a summary identity that
    /// is no longer followed; if none does and that block was still held, it can no longer be freed: a leak.
    /// </summary>
    private int Fresh(int identity, int target, HandleState state)
    {
        var olderBlockStillNamed = false;
        for (var v = 0; v < state.Variables.Length; v++)
        {
            if (v != target && state.Variables[v] == identity)
            {
                var summary = _identities.SummaryOf(identity, out var created);
                if (created)
                {
                    _result.Lost.Add(summary);
                }

                state.Variables[v] = summary;
                state.Facts[summary] |= state.Facts[identity];
                olderBlockStillNamed = true;
            }
        }

        if (!olderBlockStillNamed && MayLeak(identity, state))
        {
            _result.Leaks.Add(identity);
        }

        state.Facts[identity] = HandleFacts.Held;
        return identity;
    }

    private void WriteVariable(int v, int identity, HandleState state)
    {
        var old = state.Variables[v];
        if (old >= 0 && old != identity && !state.NamedByAnotherVariable(old, v))
        {
            if (MayLeak(old, state))
            {
                _result.Leaks.Add(old); // the last name of a held block is overwritten
            }

            // Nothing names the old block any more, so nothing can use or free it through us: forget its facts, or a
            // path that freed it and cleared the variable ('Free(h); h = default;') would taint the paths that did not.
            state.Facts[old] = 0;
        }

        state.Variables[v] = identity;
        if (identity >= 0)
        {
            var variable = _identities.Variables[v];
            if (variable.Captured)
            {
                _result.Captured.Add(identity);
            }

            if (variable.FreedByUsing)
            {
                state.Facts[identity] |= HandleFacts.UsingFrees;
            }

            if (_identities[identity].Kind == IdentityKind.Allocation)
            {
                variable.HoldsAllocation = true;
                _identities[identity].Name ??= variable.Symbol?.Name;
            }
        }
    }

    private void Drop(int identity, HandleState state)
    {
        if (identity >= 0)
        {
            if (!_identities.HeapReleasedHere(identity))
            {
                _result.Leaks.Add(identity);
            }

            state.Facts[identity] = 0;
        }
    }

    /// <summary>
    /// A held block of this body loses its last name. Not a leak when its heap is disposed in this body: that frees
    /// it (and if the disposal is skipped on some path, the block still held at the exit is reported there).
    /// </summary>
    private bool MayLeak(int identity, HandleState state) =>
        _identities[identity].Kind == IdentityKind.Allocation
        && (state.Facts[identity] & HandleFacts.Held) != 0
        && !_identities.HeapReleasedHere(identity);

    private static void Escape(int identity, HandleState state)
    {
        if (identity >= 0 && (state.Facts[identity] & HandleFacts.Held) != 0)
        {
            state.Facts[identity] = (byte)((state.Facts[identity] & ~HandleFacts.Held) | HandleFacts.Escaped);
        }
    }

    private void Free(int identity, IOperation freeing, IOperation handle, HandleState state)
    {
        if (identity < 0)
        {
            return;
        }

        _result.FreedSomewhere.Add(identity);
        if ((state.Facts[identity] & HandleFacts.Freed) != 0 && !_result.DoubleFrees.ContainsKey(freeing))
        {
            _result.DoubleFrees.Add(freeing, (identity, _identities.NameOf(handle)));
        }

        state.Facts[identity] = HandleFacts.Freed;
    }

    /// <summary>A copy of the handle outlives this point: wrong if a <c>using</c> will free the block meanwhile.</summary>
    private void Keep(IOperation reference, IOperation? consumer, int identity, HandleState state)
    {
        if (identity < 0)
        {
            return;
        }

        if (!_result.Keeps.TryGetValue(reference, out var kept))
        {
            kept = (new ObservedFacts(identity), HowKept(consumer));
            _result.Keeps.Add(reference, kept);
        }

        kept.Facts.Add(identity, state.Facts[identity]);
    }

    private string HowKept(IOperation? consumer) => consumer switch
    {
        null or IReturnOperation => "returned",
        IArgumentOperation { Parameter: { } parameter } when _roles.TakesOwnership(parameter) => "handed on",
        _ => "stored",
    };

    /// <summary>
    /// A private heap is disposed: every block this body allocated from it is freed with it, also the ones handed on
    /// (their copies now dangle) and the ones freed already (a later free is a double free).
    /// </summary>
    private void ReleaseHeap(ISymbol heap, HandleState state)
    {
        for (var identity = 0; identity < _identities.All.Count; identity++)
        {
            if (SymbolEqualityComparer.Default.Equals(_identities[identity].Heap, heap) && state.Facts[identity] != 0)
            {
                _result.FreedSomewhere.Add(identity);
                state.Facts[identity] = HandleFacts.Freed;
            }
        }
    }

    private void OnAwait(HandleState state)
    {
        for (var v = 0; v < state.Variables.Length; v++)
        {
            var identity = state.Variables[v];
            if (identity >= 0 && (state.Facts[identity] & HandleFacts.Held) != 0)
            {
                _result.AcrossAwait.Add((identity, v));
            }
        }
    }

    private static WriteTarget WriteTargetOf(IOperation reference)
    {
        var child = reference;
        var parent = reference.Parent;
        while (parent is ITupleOperation or IDeclarationExpressionOperation)
        {
            child = parent;
            parent = parent.Parent;
        }

        return parent switch
        {
            ISimpleAssignmentOperation assignment when assignment.Target == child => WriteTarget.Assignment,
            IDeconstructionAssignmentOperation deconstruction when deconstruction.Target == child => WriteTarget.Deconstruction,
            _ => WriteTarget.None,
        };
    }

    private static bool PassedByReference(IOperation reference, out bool isOut)
    {
        var parent = reference.Parent is IDeclarationExpressionOperation declaration ? declaration.Parent : reference.Parent;
        isOut = parent is IArgumentOperation { Parameter.RefKind: RefKind.Out };
        return parent is IArgumentOperation { Parameter.RefKind: RefKind.Out or RefKind.Ref };
    }
}
