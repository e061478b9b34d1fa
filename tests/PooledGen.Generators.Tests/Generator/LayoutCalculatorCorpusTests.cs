using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using PooledGen.Generators.Layout;

namespace PooledGen.Generators.Tests.Generator;

/// <summary>
/// The layout engine against the CLR without the generator in between: the corpus is compiled here, emitted, loaded,
/// and every [Pooled] struct's computed size is compared with <see cref="Unsafe.SizeOf{T}"/> in this process, and
/// every primitive or enum field's computed offset with where the CLR put it.
/// </summary>
public class LayoutCalculatorCorpusTests
{
    private static readonly MethodInfo s_sizeOf = typeof(Unsafe).GetMethod(nameof(Unsafe.SizeOf))!;

    [Fact]
    public void Every_known_corpus_size_and_primitive_field_offset_matches_the_CLR_and_only_machine_dependent_types_are_unknown()
    {
        var compilation = GeneratorTestHelpers.CreateCompilation(GeneratorTestHelpers.ReadLayoutCorpus());
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.Empty(errors);

        using var stream = new MemoryStream();
        var emit = compilation.Emit(stream);
        Assert.True(emit.Success, string.Join("\n", emit.Diagnostics));
        stream.Position = 0;
        var context = new AssemblyLoadContext("LayoutCorpus", isCollectible: true);
        try
        {
            var assembly = context.LoadFromStream(stream);
            var pooled = compilation.GetTypeByMetadataName("PooledGen.PooledAttribute")!;
            var wrong = new List<string>();
            var unknown = new List<string>();
            var checkedCount = 0;
            var offsetsChecked = 0;
            var wrongOffsets = new List<string>();
            foreach (var symbol in AllTypes(compilation.Assembly.GlobalNamespace))
            {
                if (!symbol.GetAttributes().Any(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, pooled)))
                {
                    continue;
                }

                var layout = LayoutCalculator.Compute(symbol, CancellationToken.None);
                var runtimeType = assembly.GetType(LayoutCalculator.MetadataName(symbol), throwOnError: true)!;
                var runtimeSize = (int)s_sizeOf.MakeGenericMethod(runtimeType).Invoke(null, null)!;
                checkedCount++;
                if (!layout.IsKnown)
                {
                    unknown.Add($"{symbol.Name} ({layout.UnknownReason}: {layout.UnknownTypeName})");
                }
                else if (layout.Size != runtimeSize)
                {
                    wrong.Add($"{symbol.Name}: computed {layout.Size}, CLR {runtimeSize}; fields {string.Join(", ", layout.Fields.Select(f => $"{f.Name}@{f.Offset}:{f.Size}/{f.Alignment}"))}");
                }
                else
                {
                    offsetsChecked += CheckOffsets(symbol.Name, layout, runtimeType, runtimeSize, wrongOffsets);
                }
            }

            Assert.True(checkedCount >= 90, $"only {checkedCount} corpus structs found");
            Assert.True(wrong.Count == 0, "Wrong sizes:\n" + string.Join("\n", wrong));
            Assert.True(wrongOffsets.Count == 0, "Wrong field offsets:\n" + string.Join("\n", wrongOffsets));
            Assert.True(offsetsChecked >= 200, $"only {offsetsChecked} field offsets checked");
            Assert.Equal(new[] { "HasCLong (OpaqueType: System.Runtime.InteropServices.CLong)", "HasHardwareVector (OpaqueType: System.Numerics.Vector<float>)" }, unknown.OrderBy(u => u, StringComparer.Ordinal));
        }
        finally
        {
            context.Unload();
        }
    }

    // For every field of a primitive or enum type, where the CLR put it: set it to all ones in a zeroed boxed
    // instance and find the first byte that changed. Returns how many fields were checked.
    private static int CheckOffsets(string structName, TypeLayout layout, Type runtimeType, int runtimeSize, List<string> wrong)
    {
        var checkedFields = 0;
        foreach (var field in layout.Fields)
        {
            const BindingFlags instance = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;
            var info = runtimeType.GetField(field.Name, instance) ?? runtimeType.GetField($"<{field.Name}>k__BackingField", instance);
            if (info is null || !(info.FieldType.IsPrimitive || info.FieldType.IsEnum))
            {
                continue;
            }

            var boxed = Activator.CreateInstance(runtimeType)!;
            info.SetValue(boxed, AllOnes(info.FieldType));
            ref var payload = ref Unsafe.As<StrongBox<byte>>(boxed).Value;
            var offset = -1;
            for (var i = 0; i < runtimeSize && offset < 0; i++)
            {
                if (Unsafe.Add(ref payload, i) != 0)
                {
                    offset = i;
                }
            }

            checkedFields++;
            if (offset != field.Offset)
            {
                wrong.Add($"{structName}.{field.Name}: computed offset {field.Offset}, CLR {offset}");
            }
        }

        return checkedFields;
    }

    private static object AllOnes(Type type)
    {
        if (type.IsEnum)
        {
            return Enum.ToObject(type, AllOnes(Enum.GetUnderlyingType(type)));
        }

        return Type.GetTypeCode(type) switch
        {
            TypeCode.Boolean => true,
            TypeCode.Char => char.MaxValue,
            TypeCode.SByte => (sbyte)-1,
            TypeCode.Byte => byte.MaxValue,
            TypeCode.Int16 => (short)-1,
            TypeCode.UInt16 => ushort.MaxValue,
            TypeCode.Int32 => -1,
            TypeCode.UInt32 => uint.MaxValue,
            TypeCode.Int64 => -1L,
            TypeCode.UInt64 => ulong.MaxValue,
            TypeCode.Single => BitConverter.Int32BitsToSingle(-1),
            TypeCode.Double => BitConverter.Int64BitsToDouble(-1),
            _ when type == typeof(nint) => (nint)(-1),
            _ when type == typeof(nuint) => nuint.MaxValue,
            _ => throw new NotSupportedException(type.FullName),
        };
    }

    private static IEnumerable<INamedTypeSymbol> AllTypes(INamespaceSymbol ns)
    {
        foreach (var type in ns.GetTypeMembers())
        {
            foreach (var nested in Nested(type))
            {
                yield return nested;
            }
        }

        foreach (var child in ns.GetNamespaceMembers())
        {
            foreach (var type in AllTypes(child))
            {
                yield return type;
            }
        }

        static IEnumerable<INamedTypeSymbol> Nested(INamedTypeSymbol type)
        {
            yield return type;
            foreach (var inner in type.GetTypeMembers().SelectMany(Nested))
            {
                yield return inner;
            }
        }
    }
}
