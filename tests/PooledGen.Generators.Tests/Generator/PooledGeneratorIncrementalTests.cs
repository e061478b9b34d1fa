using System.Collections;
using System.Collections.Immutable;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace PooledGen.Generators.Tests.Generator;

/// <summary>
/// Caching is a test, not a hope: an edit unrelated to [Pooled] structs leaves every named step Cached or Unchanged,
/// no step output keeps a symbol, syntax node, compilation or location alive, and a relevant edit regenerates.
/// </summary>
public class PooledGeneratorIncrementalTests
{
    private static readonly string[] s_trackingNames = typeof(TrackingNames)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral && f.FieldType == typeof(string))
        .Select(f => (string)f.GetRawConstantValue()!)
        .ToArray();

    private const string Dependency = "namespace Game { public struct Inner { public int A; } }";

    private static (GeneratorDriver Driver, CSharpCompilation Compilation) FirstRun()
    {
        var compilation = GeneratorTestHelpers.CreateCompilation(PooledGeneratorTests.SupportedShapes, Dependency, """
            namespace Game
            {
                [PooledGen.Pooled] public partial struct UsesInner { public Inner I; public byte B; }
                public class Unrelated { public int Method() => 1; }
            }
            """);
        var driver = GeneratorTestHelpers.RunGenerator(compilation, out _);
        return (driver, compilation);
    }

    [Fact]
    public void Tracking_names_are_all_used()
    {
        var (driver, _) = FirstRun();

        var steps = driver.GetRunResult().Results.Single().TrackedSteps;
        Assert.Equal(s_trackingNames.OrderBy(n => n, StringComparer.Ordinal), steps.Keys.Where(s_trackingNames.Contains).OrderBy(n => n, StringComparer.Ordinal));
    }

    [Fact]
    public void Rerun_on_the_same_compilation_is_entirely_cached()
    {
        var (driver, compilation) = FirstRun();

        driver = GeneratorTestHelpers.RunGenerator(compilation.Clone(), out _, driver);

        AssertAllStepsCachedOrUnchanged(driver);
        Assert.All(
            driver.GetRunResult().Results.Single().TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs),
            output => Assert.Equal(IncrementalStepRunReason.Cached, output.Reason));
    }

    [Fact]
    public void Adding_an_unrelated_file_leaves_every_step_cached_or_unchanged()
    {
        var (driver, compilation) = FirstRun();

        var edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("class Elsewhere { void M() { } }", GeneratorTestHelpers.ParseOptions));
        driver = GeneratorTestHelpers.RunGenerator(edited, out _, driver);

        AssertAllStepsCachedOrUnchanged(driver);
    }

    [Fact]
    public void Editing_an_unrelated_method_in_a_file_with_pooled_structs_leaves_every_step_cached_or_unchanged()
    {
        var (driver, compilation) = FirstRun();
        var tree = compilation.SyntaxTrees.Last();

        var newText = tree.ToString().Replace("public int Method() => 1;", "public int Method() => 2 + 40;", StringComparison.Ordinal);
        var edited = compilation.ReplaceSyntaxTree(tree, tree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(newText)));
        driver = GeneratorTestHelpers.RunGenerator(edited, out _, driver);

        AssertAllStepsCachedOrUnchanged(driver);
    }

    [Fact]
    public void Defining_a_preprocessor_symbol_leaves_every_step_cached_or_unchanged()
    {
        // The parse options change, but the language version they carry does not: the bool they are reduced to is
        // unchanged, so nothing downstream of it runs again.
        var (driver, compilation) = FirstRun();

        driver = driver.WithUpdatedParseOptions(GeneratorTestHelpers.ParseOptions.WithPreprocessorSymbols("SOME_SYMBOL"));
        driver = GeneratorTestHelpers.RunGenerator(compilation, out _, driver);

        AssertAllStepsCachedOrUnchanged(driver);
        Assert.Equal(14, GeneratorTestHelpers.GeneratedSources(driver).Count);
    }

    [Fact]
    public void No_step_output_holds_a_symbol_syntax_node_compilation_or_location()
    {
        var (driver, _) = FirstRun();

        foreach (var (name, steps) in driver.GetRunResult().Results.Single().TrackedSteps.Where(s => s_trackingNames.Contains(s.Key)))
        {
            foreach (var output in steps.SelectMany(s => s.Outputs))
            {
                AssertNoBannedObjects(output.Value, name, new HashSet<object>(ReferenceEqualityComparer.Instance));
            }
        }
    }

    [Fact]
    public void Editing_a_pooled_struct_regenerates_it_with_its_new_size()
    {
        var (driver, compilation) = FirstRun();
        var tree = compilation.SyntaxTrees.Last();

        var newText = tree.ToString().Replace("public byte B; }", "public byte B; public long C; }", StringComparison.Ordinal);
        driver = GeneratorTestHelpers.RunGenerator(compilation.ReplaceSyntaxTree(tree, tree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(newText))), out _, driver);

        var reasons = driver.GetRunResult().Results.Single().TrackedSteps[TrackingNames.PoolableStructs].SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
        Assert.Contains(IncrementalStepRunReason.Modified, reasons);
        Assert.Contains("public const int PooledSize = 16;", GeneratorTestHelpers.GeneratedSources(driver)["Game.UsesInner.g.cs"], StringComparison.Ordinal);
    }

    [Fact]
    public void Editing_a_nested_struct_in_another_file_regenerates_the_pooled_struct_that_contains_it()
    {
        var (driver, compilation) = FirstRun();
        var dependency = compilation.SyntaxTrees.Single(t => t.ToString() == Dependency);

        var edited = compilation.ReplaceSyntaxTree(dependency, dependency.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(Dependency.Replace("int A;", "long A;", StringComparison.Ordinal))));
        driver = GeneratorTestHelpers.RunGenerator(edited, out _, driver);

        Assert.Contains("public const int PooledSize = 16;", GeneratorTestHelpers.GeneratedSources(driver)["Game.UsesInner.g.cs"], StringComparison.Ordinal);
    }

    private static void AssertAllStepsCachedOrUnchanged(GeneratorDriver driver)
    {
        var steps = driver.GetRunResult().Results.Single().TrackedSteps;
        foreach (var name in s_trackingNames)
        {
            Assert.True(steps.ContainsKey(name), $"step {name} did not run");
            foreach (var output in steps[name].SelectMany(s => s.Outputs))
            {
                Assert.True(
                    output.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
                    $"step {name} produced {output.Reason} for {output.Value}");
            }
        }
    }

    private static void AssertNoBannedObjects(object? node, string step, HashSet<object> visited)
    {
        if (node is null || !visited.Add(node))
        {
            return;
        }

        Assert.False(node is ISymbol or SyntaxNode or Compilation or Location or SemanticModel or SyntaxTree, $"step {step} holds a {node.GetType().Name}");
        var type = node.GetType();
        if (type.IsPrimitive || type.IsEnum || node is string)
        {
            return;
        }

        if (node is IEnumerable items)
        {
            foreach (var item in items)
            {
                AssertNoBannedObjects(item, step, visited);
            }
        }

        foreach (var field in type.GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance))
        {
            AssertNoBannedObjects(field.GetValue(node), step, visited);
        }
    }
}
