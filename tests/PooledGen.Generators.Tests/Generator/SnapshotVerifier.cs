using System.Runtime.CompilerServices;
using System.Text;
using DiffPlex.DiffBuilder;
using DiffPlex.DiffBuilder.Model;
using PooledGen.Generators.Emit;

namespace PooledGen.Generators.Tests.Generator;

/// <summary>
/// Compares generated source with a checked-in snapshot, <c>Snapshots/&lt;TestClass&gt;.&lt;TestMethod&gt;.verified.cs</c>
/// (Verify's naming). On a mismatch the test fails with a line diff. Set <c>POOLEDGEN_ACCEPT_SNAPSHOTS=1</c> to
/// write the current output as the new snapshot instead (then review the change in git before committing it).
/// </summary>
internal static class SnapshotVerifier
{
    public const string AcceptVariable = "POOLEDGEN_ACCEPT_SNAPSHOTS";

    // The generator's version changes with every release; snapshots should not.
    private static readonly string s_versionText = $"GeneratedCode(\"PooledGen\", \"{PooledSourceEmitter.Version}\")";
    private const string StableVersionText = "GeneratedCode(\"PooledGen\", \"VERSION\")";

    public static void Verify(string actual, string testClass, [CallerMemberName] string testMethod = "")
    {
        var snapshotPath = Path.Combine(GeneratorTestHelpers.GeneratorTestsFolder(), "Snapshots", $"{testClass}.{testMethod}.verified.cs");
        actual = actual.Replace("\r\n", "\n").Replace(s_versionText, StableVersionText);

        if (Environment.GetEnvironmentVariable(AcceptVariable) == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(snapshotPath)!);
            File.WriteAllText(snapshotPath, actual, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
            return;
        }

        if (!File.Exists(snapshotPath))
        {
            Assert.Fail($"No snapshot at {snapshotPath}. Run the tests with {AcceptVariable}=1 to create it, then review it.\n\nActual:\n{actual}");
        }

        var expected = File.ReadAllText(snapshotPath).Replace("\r\n", "\n");
        if (expected != actual)
        {
            Assert.Fail($"Generated source differs from {Path.GetFileName(snapshotPath)} (- snapshot, + actual). " +
                $"If the change is intended, rerun with {AcceptVariable}=1 and review the diff.\n{Diff(expected, actual)}");
        }
    }

    private static string Diff(string expected, string actual)
    {
        var model = InlineDiffBuilder.Diff(expected, actual, ignoreWhiteSpace: false);
        var text = new StringBuilder();
        var lineNumber = 0;
        foreach (var line in model.Lines)
        {
            if (line.Type != ChangeType.Inserted)
            {
                lineNumber++;
            }

            var prefix = line.Type switch
            {
                ChangeType.Inserted => "+ ",
                ChangeType.Deleted => "- ",
                _ => "  ",
            };
            if (line.Type is ChangeType.Inserted or ChangeType.Deleted)
            {
                text.Append(lineNumber.ToString("D4", System.Globalization.CultureInfo.InvariantCulture)).Append(' ').Append(prefix).AppendLine(line.Text);
            }
        }

        return text.ToString();
    }
}
