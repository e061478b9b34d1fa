using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using PooledGen.Generators.Layout;

namespace PooledGen.Generators.Tests.Generator;

/// <summary>
/// The layout engine against the CLR without the generator in between: the corpus is compiled here, emitted, loaded,
/// and every [Pooled] struct's computed size is compared with <see cref="Unsafe.SizeOf{T}"/> in this process.
/// </summary>
public class LayoutCalculatorCorpusTests
{
    private static readonly MethodInfo s_sizeOf = typeof(Unsafe).GetMethod(nameof(Unsafe.SizeOf))!;

    [Fact]
    public void Every_known_corpus_size_matches_the_CLR_and_only_machine_dependent_types_are_unknown()
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
            }

            Assert.True(checkedCount >= 90, $"only {checkedCount} corpus structs found");
            Assert.True(wrong.Count == 0, "Wrong sizes:\n" + string.Join("\n", wrong));
            Assert.Equal(new[] { "HasCLong (OpaqueType: System.Runtime.InteropServices.CLong)", "HasHardwareVector (OpaqueType: System.Numerics.Vector<float>)" }, unknown.OrderBy(u => u, StringComparer.Ordinal));
        }
        finally
        {
            context.Unload();
        }
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
