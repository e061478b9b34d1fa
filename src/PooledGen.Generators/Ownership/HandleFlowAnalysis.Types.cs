using System;
using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace PooledGen.Generators.Ownership;

/// <summary>The states, identities and worklists of <see cref="HandleFlowAnalysis"/>.</summary>
internal sealed partial class HandleFlowAnalysis
{

    private enum WriteTarget
    {
        None,
        Assignment,
        Deconstruction,
    }

    private enum IdentityKind
    {
        /// <summary>A block allocated at this site in this body: leaks are reported for it.</summary>
        Allocation,

        /// <summary>A handle from a parameter, field, call or collection: used and freed, never leaked, by us.</summary>
        Borrowed,

        /// <summary>Older blocks of a site reached again: not followed.</summary>
        Summary,
    }

    private sealed class Identity
    {
        public Identity(IdentityKind kind, IOperation? site)
        {
            Kind = kind;
            Site = site;
        }

        public IdentityKind Kind { get; }

        public IOperation? Site { get; }

        public string? Name { get; set; }
    }

    private sealed class Variable
    {
        public Variable(ISymbol? symbol, string name)
        {
            Symbol = symbol;
            Name = name;
        }

        /// <summary>The local or parameter; null for a compiler temporary (flow capture).</summary>
        public ISymbol? Symbol { get; }

        public string Name { get; }

        public bool Captured { get; set; }

        public bool HoldsAllocation { get; set; }
    }

    private sealed class UseFacts
    {
        public UseFacts(int identity) => Identity = identity;

        public int Identity { get; }

        public byte Facts { get; set; }

        public bool Unknown { get; set; }
    }

    /// <summary>What holds at one program point: the identity each variable names and the facts of each identity.</summary>
    private sealed class State
    {
        public State(int variables, int identities)
        {
            Variables = new int[variables];
            for (var i = 0; i < Variables.Length; i++)
            {
                Variables[i] = Unassigned;
            }

            Facts = new byte[identities];
        }

        private State(State other)
        {
            Variables = (int[])other.Variables.Clone();
            Facts = (byte[])other.Facts.Clone();
        }

        public int[] Variables { get; }

        public byte[] Facts { get; }

        public State Clone() => new(this);
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

        public Dictionary<int, State> Entry { get; } = new();

        public SortedSet<int> Work { get; } = new();

        public State? FinallyExit { get; set; }
    }

    private sealed class GiveUp : Exception
    {
    }
}
