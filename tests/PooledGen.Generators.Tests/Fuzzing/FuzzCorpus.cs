using System.Text;
using PooledGen.Generators.Tests.Generator;

namespace PooledGen.Generators.Tests.Fuzzing;

/// <summary>
/// The sources the fuzzer starts from: well-formed files that exercise every rule of the generator and the analyzers
/// (the mutator breaks them), and hand-written pathological ones (recursive and cyclic layouts, huge fixed buffers,
/// deep nesting, generic junk) that are run as they are.
/// </summary>
internal static class FuzzCorpus
{
    private const string Usings = """
        using System;
        using System.Runtime.InteropServices;
        using System.Runtime.Intrinsics;
        using PooledGen;

        """;

    /// <summary>Seeds for mutation. Each compiles cleanly or reports only the diagnostic it was written for.</summary>
    public static readonly string[] Seeds =
    [
        Usings + """
        namespace Game
        {
            [Pooled] public partial struct Particle { public float X, Y, Z; public int Life; }

            public static class World
            {
                public static float Step()
                {
                    var p = Particle.Alloc();
                    try { p.Value.X += 1; return p.Value.X; }
                    finally { Particle.Free(p); }
                }
            }
        }
        """,
        Usings + """
        [Pooled] public unsafe partial struct Buffer { public byte Tag; public fixed int Items[12]; public long Stamp; }
        [Pooled] internal readonly partial struct Frozen { public readonly double A; public readonly byte B; }
        """,
        Usings + """
        public partial class Outer<T> where T : unmanaged
        {
            public partial class Middle
            {
                [Pooled] public partial struct Inner { public int A; public Vector128<float> V; }
            }
        }
        """,
        Usings + """
        namespace Records;
        [Pooled] public partial record struct Point(double X, double Y);
        [Pooled] public readonly partial record struct Span3(int A, int B, int C) { public byte Extra { get; init; } }
        """,
        Usings + """
        [StructLayout(LayoutKind.Explicit, Size = 24)]
        [Pooled] public partial struct Overlay { [FieldOffset(0)] public long L; [FieldOffset(4)] public int I; [FieldOffset(16)] public byte B; }
        [StructLayout(LayoutKind.Sequential, Pack = 2)]
        [Pooled] public partial struct Packed { public byte A; public long B; }
        [StructLayout(LayoutKind.Auto)]
        [Pooled] public partial struct Automatic { public byte A; public long B; public byte C; }
        """,
        Usings + """
        [Pooled] public unsafe partial struct TooBig { public fixed byte Data[600]; }
        [Pooled] public partial struct HoldsReference { public string Name; public int Count; }
        [Pooled] public struct NotPartial { public int A; }
        [Pooled] public partial struct Wasteful { public byte A; public long B; public byte C; public long D; public byte E; }
        """,
        Usings + """
        public struct Pair<TA, TB> { public TA A; public TB B; }
        public struct Wrapper<T> where T : unmanaged { public byte Tag; public T Value; }
        [Pooled] public partial struct Generic { public Pair<byte, long> A; public Wrapper<Pair<int, short>> B; public nint C; }
        [Pooled] public unsafe partial struct Pointers { public void* P; public delegate*<int, void> F; public int* I; }
        [Pooled] public partial struct WithEnums { public DayOfWeek D; public ConsoleColor C; public Guid G; public decimal M; }
        """,
        Usings + """
        using System.Collections.Generic;
        using System.Threading.Tasks;

        [Pooled] public partial struct Node { public int Value; public int Next; }

        public sealed class Graph
        {
            private readonly List<Pooled<Node>> _nodes = new();

            public void Add(int value)
            {
                var node = Node.Alloc(new Node { Value = value });
                if (value < 0) { Node.Free(node); return; }
                _nodes.Add(node);
            }

            public async Task<int> SumAsync()
            {
                using var scratch = PooledHeap.Alloc<Node>();
                await Task.Yield();
                var sum = 0;
                foreach (var n in _nodes) sum += n.Value.Value;
                return sum + scratch.Value.Value;
            }

            public void Clear()
            {
                foreach (var n in _nodes) Node.Free(n);
                _nodes.Clear();
            }
        }
        """,
    ];

    /// <summary>Pathological sources, run as written. Names say what each tries to break.</summary>
    public static readonly (string Name, string Source)[] Pathological =
    [
        ("self-recursive struct", "[Pooled] public partial struct S { public S Self; }"),
        ("two-struct cycle", "[Pooled] public partial struct A { public B B; } public struct B { public A A; }"),
        ("three-struct cycle through generics", "[Pooled] public partial struct A { public W<B> X; } public struct B { public W<C> Y; } public struct C { public A Z; } public struct W<T> { public T V; }"),
        ("generic expansion cycle", "[Pooled] public partial struct S<T> { public S<S<T>> Inner; public T V; }"),
        ("generic self in type argument", "[Pooled] public partial struct S { public System.ValueTuple<int, S> T; }"),
        ("fixed int of int.MaxValue", "[Pooled] public unsafe partial struct S { public fixed int B[int.MaxValue]; }"),
        ("fixed long whose size overflows int", "[Pooled] public unsafe partial struct S { public fixed long B[268435456]; }"),
        ("fixed byte of int.MaxValue then a field", "[Pooled] public unsafe partial struct S { public fixed byte B[int.MaxValue]; public long After; }"),
        ("two huge fixed buffers", "[Pooled] public unsafe partial struct S { public fixed byte A[1073741824]; public fixed byte B[1073741824]; public fixed byte C[1073741824]; }"),
        ("fixed buffer of a negative, zero and constant-expression length", "[Pooled] public unsafe partial struct S { public fixed int A[-5]; public fixed int B[0]; public fixed int C[1 << 31]; public fixed int D[int.MaxValue / 2 + 1]; }"),
        ("explicit layout with a huge offset", "[System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Explicit)] [Pooled] public partial struct S { [System.Runtime.InteropServices.FieldOffset(int.MaxValue)] public long A; [System.Runtime.InteropServices.FieldOffset(-8)] public int B; }"),
        ("explicit size of int.MaxValue", "[System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential, Size = int.MaxValue)] [Pooled] public partial struct S { public long A; }"),
        ("pack of 0, 128 and 3", "[System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential, Pack = 128)] [Pooled] public partial struct A { public long X; } [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential, Pack = 3)] [Pooled] public partial struct B { public long X; }"),
        ("inline array of a huge length", "[System.Runtime.CompilerServices.InlineArray(int.MaxValue)] public struct Big { private long _e; } [Pooled] public partial struct S { public Big B; }"),
        ("inline array recursive", "[System.Runtime.CompilerServices.InlineArray(4)] public struct R { private S _e; } [Pooled] public partial struct S { public R Items; }"),
        ("nested 120 structs deep", NestedFields(120)),
        ("declared 60 types deep", NestedDeclarations(60)),
        ("generic argument 40 deep", "[Pooled] public partial struct S { public " + DeepGeneric(40) + " V; } public struct W<T> { public T V; }"),
        ("3000 fields", ManyFields(3000)),
        ("100 pooled structs in one file", ManyStructs(100)),
        ("generic pooled struct", "[Pooled] public partial struct S<T> where T : unmanaged { public T V; public byte B; }"),
        ("generic junk constraints", "[Pooled] public partial struct S<T, U> where T : U where U : T { public T A; public U B; }"),
        ("pooled in a generic method's local function scope", "class C { void M<T>() { } [Pooled] partial struct S { public int X; } }"),
        ("pooled on a struct nested in an interface", "interface I { [Pooled] partial struct S { public int X; } }"),
        ("pooled ref struct", "[Pooled] public ref partial struct S { public int X; }"),
        ("pooled struct named like a keyword", "[Pooled] public partial struct @class { public int @int; }"),
        ("pooled struct with a static field of itself", "[Pooled] public partial struct S { public static S Default; public int X; }"),
        ("pooled struct already declaring Alloc and Free", "[Pooled] public partial struct S { public int X; public static int Alloc() => 0; public void Free() { } public const int PooledSize = 1; }"),
        ("two partial parts both pooled", "[Pooled] public partial struct S { public int X; } [Pooled] public partial struct S { public long Y; }"),
        ("same name in two namespaces and the global one", "namespace A { [Pooled] public partial struct S { public int X; } } namespace B { [Pooled] public partial struct S { public int X; } } [Pooled] public partial struct S { public int X; }"),
        ("duplicate type declarations", "[Pooled] public partial struct S { public int X; } [Pooled] public struct S { public int Y; }"),
        ("attribute alias and misspelling", "using P = PooledGen.PooledAttribute; [P] public partial struct A { public int X; } [PooledAttribute] public partial struct B { public int X; } [Pooledd] public partial struct C { public int X; }"),
        ("a user type named PooledAttribute", "namespace Other { public class PooledAttribute : System.Attribute { } } namespace U { using Other; [Pooled] public partial struct S { public int X; } }"),
        ("attribute on a field, a method and the assembly", "[assembly: Pooled] public partial struct S { [Pooled] public int X; [Pooled] void M() { } }"),
        ("ownership over deep control flow", OwnershipMaze(40)),
        ("empty file", ""),
        ("only the attribute", "[Pooled]"),
        ("unbalanced braces", "[Pooled] public partial struct S { public int X; { { { } struct T { ] ) > <"),
        ("non-ascii identifiers", "[Pooled] public partial struct Ünïcödé { public int Ωmega; public long 名前; }"),
        ("preprocessor junk", "#if X\n[Pooled] public partial struct S {\n#else\n[Pooled] public partial struct S { public int X;\n#endif\n}\n#pragma warning disable PG0001\n#error boom"),
    ];

    /// <summary>The layout corpus shared with PooledGen.Generated.Tests: a large real file to mutate.</summary>
    public static string LayoutCorpus() => GeneratorTestHelpers.ReadLayoutCorpus();

    /// <summary><paramref name="count"/> lines of the layout corpus from line <paramref name="start"/> on (wrapping), under its usings.</summary>
    public static string CorpusWindow(int start, int count)
    {
        string[] lines = LayoutCorpus().Split('\n');
        string[] head = lines.TakeWhile(l => !l.StartsWith('[') && !l.StartsWith("namespace", StringComparison.Ordinal)).ToArray();
        string[] body = lines[head.Length..];
        return string.Join('\n', head.Concat(Enumerable.Range(start, count).Select(i => body[i % body.Length])));
    }

    private static string NestedFields(int depth)
    {
        var text = new StringBuilder("[Pooled] public partial struct S { public N0 A; }\n");
        for (int i = 0; i < depth; i++)
        {
            text.Append($"public struct N{i} {{ public byte B; public N{i + 1} Next; }}\n");
        }

        return text.Append($"public struct N{depth} {{ public long End; }}").ToString();
    }

    private static string NestedDeclarations(int depth)
    {
        var text = new StringBuilder();
        for (int i = 0; i < depth; i++)
        {
            text.Append(i % 2 == 0 ? $"public partial class C{i} {{ " : $"public partial struct C{i} {{ ");
        }

        text.Append("[Pooled] public partial struct S { public int X; }");
        return text.Append('}', depth).ToString();
    }

    private static string DeepGeneric(int depth) => new StringBuilder().Insert(0, "W<", depth).Append("int").Append('>', depth).ToString();

    private static string ManyFields(int count)
    {
        var text = new StringBuilder("[Pooled] public partial struct S { ");
        for (int i = 0; i < count; i++)
        {
            text.Append(i % 3 == 0 ? $"public byte F{i}; " : $"public long F{i}; ");
        }

        return text.Append('}').ToString();
    }

    private static string ManyStructs(int count)
    {
        var text = new StringBuilder("namespace Many {\n");
        for (int i = 0; i < count; i++)
        {
            text.Append($"[Pooled] public partial struct S{i} {{ public byte A; public fixed byte B[{i % 40 * 16 + 1}]; }}\n");
        }

        return "#pragma warning disable CS0214\n" + text.Append('}').ToString().Replace("public partial struct", "public unsafe partial struct");
    }

    private static string OwnershipMaze(int depth)
    {
        var text = new StringBuilder("[Pooled] public partial struct P { public int X; }\nclass C { int M(int n) { var h = P.Alloc(); ");
        for (int i = 0; i < depth; i++)
        {
            text.Append((i % 4) switch
            {
                0 => $"if (n > {i}) {{ ",
                1 => "try { ",
                2 => $"for (var i{i} = 0; i{i} < n; i{i}++) {{ if (i{i} == 3) continue; ",
                _ => $"switch (n) {{ case {i}: P.Free(h); h = P.Alloc(); break; default: ",
            });
        }

        text.Append("n += h.Value.X; ");
        for (int i = depth - 1; i >= 0; i--)
        {
            text.Append((i % 4) switch
            {
                0 => "} ",
                1 => "} finally { n++; } ",
                2 => "} ",
                _ => "break; } ",
            });
        }

        return text.Append("P.Free(h); return n; } }").ToString();
    }
}
