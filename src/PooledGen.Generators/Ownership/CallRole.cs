namespace PooledGen.Generators.Ownership;

/// <summary>What a call does to the ownership of a block.</summary>
internal enum OwnershipRole : byte
{
    /// <summary>Nothing the analysis follows.</summary>
    None,

    /// <summary>Returns a fresh block the caller owns: an allocation entry point or a factory.</summary>
    Allocates,

    /// <summary>Frees the handle passed as the parameter <see cref="CallRole.HandleParameter"/>.</summary>
    Frees,

    /// <summary>Ends its receiver: a handle is freed, a heap releases every block allocated from it.</summary>
    Disposes,
}

/// <summary>The role of one method, with the parameters that role concerns.</summary>
internal readonly struct CallRole
{
    public static readonly CallRole None = new(OwnershipRole.None, NoParameter, NoParameter);

    /// <summary>The heap is the receiver of the call (an instance method of a heap).</summary>
    public const int Receiver = -1;

    /// <summary>No parameter plays this part.</summary>
    public const int NoParameter = -2;

    public CallRole(OwnershipRole kind, int handleParameter, int heapOperand)
    {
        Kind = kind;
        HandleParameter = handleParameter;
        HeapOperand = heapOperand;
    }

    public OwnershipRole Kind { get; }

    /// <summary>For <see cref="OwnershipRole.Frees"/>: the ordinal of the parameter that takes the handle.</summary>
    public int HandleParameter { get; }

    /// <summary>For <see cref="OwnershipRole.Allocates"/>: where the heap the block comes from is named, or <see cref="NoParameter"/>.</summary>
    public int HeapOperand { get; }
}
