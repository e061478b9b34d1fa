using System.Reflection;
using System.Runtime.CompilerServices;

namespace PooledGen.Generated.Tests;

/// <summary>
/// The generator's compile-time <c>PooledSize</c> against the CLR's <see cref="Unsafe.SizeOf{T}"/> for every [Pooled]
/// struct in this assembly (the corpus under Corpus/). The CLR is the truth.
/// </summary>
public class LayoutCorpusTests
{
    // The only structs whose size the generator must not claim to know: their size depends on the machine or the
    // operating system (the analyzer reports PG0006 for them).
    private static readonly string[] s_expectedUnknown =
    {
        "PooledGen.Generated.Tests.Corpus.HasCLong",
        "PooledGen.Generated.Tests.Corpus.HasHardwareVector",
    };

    public static IEnumerable<Type> PooledTypes() =>
        typeof(LayoutCorpusTests).Assembly.GetTypes()
            .Where(t => t.IsValueType && t.GetCustomAttribute<PooledAttribute>() is not null)
            .OrderBy(t => t.FullName, StringComparer.Ordinal);

    public static TheoryData<string> PooledTypeNames()
    {
        var data = new TheoryData<string>();
        foreach (var type in PooledTypes())
        {
            data.Add(type.FullName!);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(PooledTypeNames))]
    public void PooledSize_equals_the_CLR_size(string typeName)
    {
        var type = typeof(LayoutCorpusTests).Assembly.GetType(typeName, throwOnError: true)!;
        var pooledSize = ConstOf(type, "PooledSize");
        var runtimeSize = RuntimeSize(type);

        if (s_expectedUnknown.Contains(typeName))
        {
            Assert.Equal(-1, pooledSize);
            Assert.Equal(0, ConstOf(type, "PooledBlockSize"));
        }
        else
        {
            Assert.Equal(runtimeSize, pooledSize);
        }
    }

    [Fact]
    public void The_corpus_is_large_and_has_no_wrong_answers_and_exactly_the_expected_unknowns()
    {
        var types = PooledTypes().ToList();
        var wrong = types.Where(t => ConstOf(t, "PooledSize") is var size && size != -1 && size != RuntimeSize(t)).Select(t => t.FullName).ToList();
        var unknown = types.Where(t => ConstOf(t, "PooledSize") == -1).Select(t => t.FullName!).OrderBy(n => n, StringComparer.Ordinal).ToList();

        Assert.True(types.Count >= 100, $"the corpus has only {types.Count} structs");
        Assert.Empty(wrong);
        Assert.Equal(s_expectedUnknown, unknown);
    }

    [Theory]
    [MemberData(nameof(PooledTypeNames))]
    public void PooledBlockSize_is_the_16_byte_size_class_or_0_for_the_large_object_path(string typeName)
    {
        var type = typeof(LayoutCorpusTests).Assembly.GetType(typeName, throwOnError: true)!;
        var size = ConstOf(type, "PooledSize");
        var block = ConstOf(type, "PooledBlockSize");

        if (size is -1 or > PooledHeap.SmallObjectThreshold)
        {
            Assert.Equal(0, block);
        }
        else
        {
            Assert.True(block >= size && block - size < 16 && block % 16 == 0, $"{typeName}: size {size}, block {block}");
        }
    }

    private static int ConstOf(Type type, string name) =>
        (int)type.GetField(name, BindingFlags.Public | BindingFlags.Static)!.GetRawConstantValue()!;

    private static int RuntimeSize(Type type) =>
        (int)typeof(Unsafe).GetMethod(nameof(Unsafe.SizeOf))!.MakeGenericMethod(type).Invoke(null, null)!;
}
