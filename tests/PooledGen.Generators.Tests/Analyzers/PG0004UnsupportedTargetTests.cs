using Microsoft.CodeAnalysis.Testing;
using PooledGen.Generators.Diagnostics;
using static PooledGen.Generators.Tests.Analyzers.PooledAnalyzerTest;

namespace PooledGen.Generators.Tests.Analyzers;

public class PG0004UnsupportedTargetTests
{
    private static DiagnosticResult Unsupported(string type, string reason) =>
        new DiagnosticResult(DiagnosticDescriptors.UnsupportedTarget).WithLocation(0).WithArguments(type, reason);

    [Fact]
    public Task Class_is_reported_beside_the_compiler_error() =>
        VerifyAsync(
            """
            using PooledGen;
            [{|CS0592:Pooled|}] public partial class {|#0:Widget|} { public int X; }
            """,
            Unsupported("Widget", "it is a class; only structs can be pooled"));

    [Fact]
    public Task Ref_struct_is_reported() =>
        VerifyAsync(
            """
            using PooledGen;
            [Pooled] public ref partial struct {|#0:Window|} { public int Start; public int Length; }
            """,
            Unsupported("Window", "it is a ref struct, which cannot live in pooled memory"));

    [Fact]
    public Task Open_generic_struct_is_reported() =>
        VerifyAsync(
            """
            using PooledGen;
            [Pooled] public partial struct {|#0:Cell|}<T> where T : unmanaged { public T Value; }
            """,
            Unsupported("Cell<T>", "it is generic; only non-generic structs can be pooled"));

    [Fact]
    public Task Struct_nested_in_a_generic_type_is_reported() =>
        VerifyAsync(
            """
            using PooledGen;
            public partial class Table<T>
            {
                [Pooled] public partial struct {|#0:Row|} { public long Key, Value; }
            }
            """,
            Unsupported("Table<T>.Row", "it is nested in the generic type 'Table<T>'"));

    [Fact]
    public Task File_local_struct_is_reported() =>
        VerifyAsync(
            """
            using PooledGen;
            [Pooled] file partial struct {|#0:Local|} { public long A, B; }
            """,
            Unsupported("Local", "it is a file-local type, so its generated part cannot be in another file"));

    [Fact]
    public Task Unsupported_target_gets_no_other_diagnostic() =>
        VerifyAsync("""
            using PooledGen;
            public class Table<T>
            {
                [Pooled] public struct {|PG0004:Row|} { public object Key; public byte A; public long B; public byte C; }
            }
            """);

    [Fact]
    public Task Struct_without_the_attribute_is_not_analyzed() =>
        VerifyAsync("""
            namespace Other { public sealed class PooledAttribute : System.Attribute { } }
            namespace App
            {
                using Other;
                [Pooled] public ref struct Window { public object O; }
                public struct Plain { public byte A; public long B; public byte C; }
            }
            """);
}
