using System;

namespace PooledGen.Generators.Ownership;

/// <summary>
/// The facts that may hold of a handle identity on the paths reaching a point: a set of bits, joined by union, so
/// <c>Held|Freed</c> reads "freed on some paths only".
/// </summary>
internal static class HandleFacts
{
    /// <summary>Allocated here and not yet freed or handed on: a leak if it reaches the exit.</summary>
    public const byte Held = 1;

    /// <summary>Freed (by a free, a dispose, a <c>using</c>, or the disposal of the heap it came from).</summary>
    public const byte Freed = 2;

    /// <summary>Handed on: returned, stored, or given to code that may keep it.</summary>
    public const byte Escaped = 4;

    /// <summary>A <c>using</c> frees it when its scope ends: keeping a copy now leaves that copy dangling.</summary>
    public const byte UsingFrees = 8;

    /// <summary>True when every path reaching the point has freed the block and none has kept it alive another way.</summary>
    public static bool FreedOnEveryPath(byte facts) => facts == Freed;
}

/// <summary>
/// What holds at one program point: the identity each variable names (or one of the markers below) and the facts of
/// each identity. The lattice is the product of a flat lattice per variable (an identity, or <see cref="Conflict"/>
/// once two paths disagree) and a set of <see cref="HandleFacts"/> per identity.
/// </summary>
internal sealed class HandleState
{
    /// <summary>The variable holds no handle yet on any path (bottom).</summary>
    public const int Unassigned = -1;

    /// <summary>The variable holds the null handle: nothing to free, leak or use.</summary>
    public const int NullHandle = -2;

    /// <summary>The variable holds different blocks on different paths (top): not followed.</summary>
    public const int Conflict = -3;

    public HandleState(int variables, int identities)
    {
        Variables = new int[variables];
        for (var i = 0; i < Variables.Length; i++)
        {
            Variables[i] = Unassigned;
        }

        Facts = new byte[identities];
    }

    private HandleState(HandleState other)
    {
        Variables = (int[])other.Variables.Clone();
        Facts = (byte[])other.Facts.Clone();
    }

    /// <summary>Per variable: an identity index, or <see cref="Unassigned"/>, <see cref="NullHandle"/>, <see cref="Conflict"/>.</summary>
    public int[] Variables { get; }

    /// <summary>Per identity: its <see cref="HandleFacts"/>.</summary>
    public byte[] Facts { get; }

    public HandleState Clone() => new(this);

    /// <summary>
    /// Joins <paramref name="from"/> into this state. A variable that names different identities on the two sides
    /// becomes <see cref="Conflict"/> and both identities are passed to <paramref name="lost"/>: following either
    /// would mean guessing which path ran. The null handle joins with anything to that thing.
    /// </summary>
    /// <returns>True when this state changed.</returns>
    public bool Join(HandleState from, Action<int> lost)
    {
        var changed = false;
        for (var v = 0; v < Variables.Length; v++)
        {
            var a = Variables[v];
            var b = from.Variables[v];
            if (a == b || b == Unassigned || (b == NullHandle && a != Unassigned))
            {
                continue;
            }

            int merged;
            if (a == Unassigned || a == NullHandle)
            {
                merged = b;
            }
            else
            {
                merged = Conflict;
                if (a >= 0)
                {
                    lost(a);
                }

                if (b >= 0)
                {
                    lost(b);
                }
            }

            if (merged != a)
            {
                Variables[v] = merged;
                changed = true;
            }
        }

        for (var i = 0; i < Facts.Length; i++)
        {
            var facts = (byte)(Facts[i] | from.Facts[i]);
            if (facts != Facts[i])
            {
                Facts[i] = facts;
                changed = true;
            }
        }

        return changed;
    }

    /// <summary>True when a variable other than <paramref name="except"/> names <paramref name="identity"/>.</summary>
    public bool NamedByAnotherVariable(int identity, int except)
    {
        for (var v = 0; v < Variables.Length; v++)
        {
            if (v != except && Variables[v] == identity)
            {
                return true;
            }
        }

        return false;
    }
}
