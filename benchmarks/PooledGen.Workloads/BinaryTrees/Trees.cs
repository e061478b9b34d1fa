using System.Runtime.CompilerServices;

namespace PooledGen.Workloads.BinaryTrees;

/// <summary>A binary-trees node off the GC heap: two handles, allocated and freed with the generated members.</summary>
[Pooled]
public partial struct Node
{
    /// <summary>The left subtree, or null at a leaf.</summary>
    public Pooled<Node> Left;

    /// <summary>The right subtree, or null at a leaf.</summary>
    public Pooled<Node> Right;
}

/// <summary>
/// One way of building, checking and freeing the trees. The driver is generic over it, so each variant's recursion
/// is compiled on its own with the allocator's calls inlined. Trees are built bottom-up as the benchmark's rules
/// have it: both children first, then the node that holds them. Check counts the nodes.
/// </summary>
/// <typeparam name="TTree">What a tree is: a handle, an object or a pointer.</typeparam>
internal interface ITrees<TTree>
{
    static abstract TTree Create(int depth);

    static abstract int Check(TTree tree);

    /// <summary>Frees the whole tree (a no-op where the GC collects it).</summary>
    static abstract void Free(TTree tree);
}

/// <summary>PooledGen: the generated <c>Node.Alloc()</c> (zeroed), children written through <c>.Value</c>; a recursive <c>Node.Free()</c>.</summary>
internal readonly struct PooledTrees : ITrees<Pooled<Node>>
{
    public static Pooled<Node> Create(int depth)
    {
        Pooled<Node> left = default, right = default;
        if (depth > 0)
        {
            left = Create(depth - 1);
            right = Create(depth - 1);
        }

        var node = Node.Alloc();
        ref var value = ref node.Value;
        value.Left = left;
        value.Right = right;
        return node;
    }

    public static int Check(Pooled<Node> tree) => PooledTreeWalk.Check(tree);

    public static void Free(Pooled<Node> tree) => PooledTreeWalk.Free(tree);
}

/// <summary>PooledGen: the generated <c>Node.Alloc(in value)</c>, the node made with its children in one copy.</summary>
internal readonly struct PooledCopyTrees : ITrees<Pooled<Node>>
{
    public static Pooled<Node> Create(int depth) =>
        depth > 0
            ? Node.Alloc(new Node { Left = Create(depth - 1), Right = Create(depth - 1) })
            : Node.Alloc(default(Node));

    public static int Check(Pooled<Node> tree) => PooledTreeWalk.Check(tree);

    public static void Free(Pooled<Node> tree) => PooledTreeWalk.Free(tree);
}

/// <summary>
/// PooledGen through an explicit <see cref="LocalHeap"/>: <c>PooledHeap.Local</c> taken once per tree and passed down the
/// recursion to the generated <c>Node.Alloc(heap)</c> (zeroed) and <c>Node.Free(heap, h)</c>. Every tree is built and
/// freed on one thread (the parallel mode's workers free their own), so the heap never leaves its thread.
/// </summary>
internal readonly struct LocalHeapTrees : ITrees<Pooled<Node>>
{
    public static Pooled<Node> Create(int depth) => Create(PooledHeap.Local, depth);

    public static int Check(Pooled<Node> tree) => PooledTreeWalk.Check(tree);

    public static void Free(Pooled<Node> tree) => PooledTreeWalk.Free(PooledHeap.Local, tree);

    private static Pooled<Node> Create(LocalHeap heap, int depth)
    {
        Pooled<Node> left = default, right = default;
        if (depth > 0)
        {
            left = Create(heap, depth - 1);
            right = Create(heap, depth - 1);
        }

        var node = Node.Alloc(heap);
        ref var value = ref node.Value;
        value.Left = left;
        value.Right = right;
        return node;
    }
}

/// <summary>PooledGen through an explicit <see cref="LocalHeap"/> taken once per tree: the generated <c>Node.Alloc(heap, in value)</c>, the node made with its children in one copy.</summary>
internal readonly struct LocalHeapCopyTrees : ITrees<Pooled<Node>>
{
    public static Pooled<Node> Create(int depth) => Create(PooledHeap.Local, depth);

    public static int Check(Pooled<Node> tree) => PooledTreeWalk.Check(tree);

    public static void Free(Pooled<Node> tree) => PooledTreeWalk.Free(PooledHeap.Local, tree);

    private static Pooled<Node> Create(LocalHeap heap, int depth) =>
        depth > 0
            ? Node.Alloc(heap, new Node { Left = Create(heap, depth - 1), Right = Create(heap, depth - 1) })
            : Node.Alloc(heap, default(Node));
}

/// <summary>The walks the PooledGen variants share: they differ only in how a node is allocated and which free they call.</summary>
internal static class PooledTreeWalk
{
    public static int Check(Pooled<Node> tree)
    {
        ref var node = ref tree.Value;
        return node.Left.IsNull ? 1 : 1 + Check(node.Left) + Check(node.Right);
    }

    public static void Free(Pooled<Node> tree)
    {
        ref var node = ref tree.Value;
        if (!node.Left.IsNull)
        {
            Free(node.Left);
            Free(node.Right);
        }

        Node.Free(tree);
    }

    public static void Free(LocalHeap heap, Pooled<Node> tree)
    {
        ref var node = ref tree.Value;
        if (!node.Left.IsNull)
        {
            Free(heap, node.Left);
            Free(heap, node.Right);
        }

        Node.Free(heap, tree);
    }
}

/// <summary>Class nodes left to the GC: no free, the collector finds the garbage.</summary>
internal readonly struct ClassTrees : ITrees<ClassTrees.TreeNode>
{
    public static TreeNode Create(int depth) =>
        depth > 0 ? new TreeNode(Create(depth - 1), Create(depth - 1)) : new TreeNode(null, null);

    public static int Check(TreeNode tree) => tree.Left is null ? 1 : 1 + Check(tree.Left) + Check(tree.Right!);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Free(TreeNode tree)
    {
    }

    /// <summary>A managed node.</summary>
    internal sealed class TreeNode(TreeNode? left, TreeNode? right)
    {
        public readonly TreeNode? Left = left;
        public readonly TreeNode? Right = right;
    }
}

/// <summary>A native node: two pointers, 16 bytes, from a native malloc; freed recursively.</summary>
internal readonly unsafe struct NativeTrees<TMalloc> : ITrees<nint> where TMalloc : INativeMalloc
{
    public static nint Create(int depth)
    {
        NativeNode* left = null, right = null;
        if (depth > 0)
        {
            left = (NativeNode*)Create(depth - 1);
            right = (NativeNode*)Create(depth - 1);
        }

        var node = (NativeNode*)TMalloc.Allocate((nuint)sizeof(NativeNode));
        node->Left = left;
        node->Right = right;
        return (nint)node;
    }

    public static int Check(nint tree)
    {
        var node = (NativeNode*)tree;
        return node->Left == null ? 1 : 1 + Check((nint)node->Left) + Check((nint)node->Right);
    }

    public static void Free(nint tree)
    {
        var node = (NativeNode*)tree;
        if (node->Left != null)
        {
            Free((nint)node->Left);
            Free((nint)node->Right);
        }

        TMalloc.Free(node);
    }

    private struct NativeNode
    {
        public NativeNode* Left;
        public NativeNode* Right;
    }
}
