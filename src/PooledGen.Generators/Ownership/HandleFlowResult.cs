using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace PooledGen.Generators.Ownership;

/// <summary>
/// What the flow over one graph found, gathered while iterating and judged only once the states are final: a use is
/// after a free only if every visit saw it freed, a leak only if the identity was not given up on meanwhile. The
/// reporter turns it into diagnostics; factory inference reads its returns.
/// </summary>
internal sealed class HandleFlowResult
{
    public HandleFlowResult(HandleIdentities identities) => Identities = identities;

    public HandleIdentities Identities { get; }

    /// <summary>Identities the analysis stopped following: held by different variables on different paths, or summaries.</summary>
    public HashSet<int> Lost { get; } = new();

    /// <summary>Identities that reached a variable a lambda or local function captures.</summary>
    public HashSet<int> Captured { get; } = new();

    /// <summary>Identities freed somewhere in this graph.</summary>
    public HashSet<int> FreedSomewhere { get; } = new();

    /// <summary>Identities held, and the variable holding them, at an <c>await</c>.</summary>
    public HashSet<(int Identity, int Variable)> AcrossAwait { get; } = new();

    /// <summary>Each use of a handle (a read, or handing it on) with the facts of every visit.</summary>
    public Dictionary<IOperation, ObservedFacts> Uses { get; } = new();

    /// <summary>Each handle kept (stored, returned, handed to an owner) with the facts of every visit, and how it was kept.</summary>
    public Dictionary<IOperation, (ObservedFacts Facts, string How)> Keeps { get; } = new();

    /// <summary>Each free that met an already freed identity: the identity and the handle's name.</summary>
    public Dictionary<IOperation, (int Identity, string Name)> DoubleFrees { get; } = new();

    /// <summary>Allocation identities that were held where nothing could free them any more.</summary>
    public HashSet<int> Leaks { get; } = new();

    /// <summary>Each returned handle with the facts of every visit; a null handle is <see cref="HandleState.NullHandle"/>.</summary>
    public Dictionary<IOperation, ObservedFacts> Returns { get; } = new();

    /// <summary>Identities nothing may be said about: lost, or captured by a lambda.</summary>
    public HashSet<int> Silenced()
    {
        var silenced = new HashSet<int>(Lost);
        silenced.UnionWith(Captured);
        return silenced;
    }

    /// <summary>
    /// True when every return of the graph returns the null handle or a block allocated here that is still held on
    /// every path (not freed, not handed on), and at least one returns such a block: the method is a factory.
    /// </summary>
    public bool ReturnsOnlyFreshBlocks()
    {
        var silenced = Silenced();
        var fresh = false;
        foreach (var observed in Returns.Values)
        {
            if (observed.Unknown)
            {
                return false;
            }

            if (observed.Identity == HandleState.NullHandle)
            {
                continue;
            }

            if (Identities[observed.Identity].Kind != IdentityKind.Allocation || silenced.Contains(observed.Identity) || observed.Facts != HandleFacts.Held)
            {
                return false;
            }

            fresh = true;
        }

        return fresh;
    }

    /// <summary>Records the facts of <paramref name="identity"/> seen at <paramref name="operation"/> on this visit.</summary>
    public static void Observe(Dictionary<IOperation, ObservedFacts> observations, IOperation operation, int identity, byte facts)
    {
        if (!observations.TryGetValue(operation, out var observed))
        {
            observed = new ObservedFacts(identity);
            observations.Add(operation, observed);
        }

        observed.Add(identity, facts);
    }
}

/// <summary>The facts of one identity, joined over every visit of an operation; unknown when visits disagree on the identity.</summary>
internal sealed class ObservedFacts
{
    public ObservedFacts(int identity) => Identity = identity;

    public int Identity { get; }

    public byte Facts { get; private set; }

    /// <summary>The operation met different identities, or none, on different visits: nothing can be said of it.</summary>
    public bool Unknown { get; private set; }

    public void Add(int identity, byte facts)
    {
        if (identity != Identity || (identity < 0 && identity != HandleState.NullHandle))
        {
            Unknown = true;
        }
        else if (identity >= 0)
        {
            Facts |= facts;
        }
    }
}
