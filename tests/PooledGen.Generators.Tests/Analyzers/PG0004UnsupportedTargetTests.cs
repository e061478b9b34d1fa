using static PooledGen.Generators.Tests.Analyzers.PooledAnalyzerTest;

namespace PooledGen.Generators.Tests.Analyzers;

public class PG0004UnsupportedTargetTests
{
    [Fact]
    public Task Class_is_reported_beside_the_compiler_error() =>
        VerifyAsync("""
            using PooledGen;
            [{|CS0592:Pooled|}] public partial class {|PG0004:Widget|} { public int X; }
            """);

    [Fact]
    public Task Ref_struct_is_reported() =>
        VerifyAsync("""
            using PooledGen;
            [Pooled] public ref partial struct {|PG0004:Window|} { public int Start; public int Length; }
            """);

    [Fact]
    public Task Open_generic_struct_is_reported() =>
        VerifyAsync("""
            using PooledGen;
            [Pooled] public partial struct {|PG0004:Cell|}<T> where T : unmanaged { public T Value; }
            """);

    [Fact]
    public Task Struct_nested_in_a_generic_type_is_reported() =>
        VerifyAsync("""
            using PooledGen;
            public partial class Table<T>
            {
                [Pooled] public partial struct {|PG0004:Row|} { public long Key, Value; }
            }
            """);

    [Fact]
    public Task Unsupported_target_gets_no_other_diagnostic() =>
        VerifyAsync("""
            using PooledGen;
            public class Table<T>
            {
                [Pooled] public struct {|PG0004:Row|} { public object Key; public byte A; public long B; public byte C; }
            }
            """);
}
