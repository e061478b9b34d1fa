using System.Collections.Concurrent;
using System.IO.Compression;
using System.Reflection;
using System.Xml.Linq;

namespace PooledGen.Package.Tests;

/// <summary>
/// A temporary workspace outside the repository: a folder feed holding the packed PooledGen packages, a private
/// NuGet cache (so a package cached by an earlier run cannot stand in for the one under test), a nuget.config
/// that adds the feed to the machine's own sources (it clears nothing), and copies of the consumer projects.
/// </summary>
public sealed class PackageFeed : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<CommandResult>> _once = new();

    /// <summary>Names the folder that holds already packed packages (.ci/run sets it); unset, the feed packs them.</summary>
    public const string PackagesVariable = "POOLEDGEN_PACKAGES";

    public PackageFeed()
    {
        RepositoryRoot = typeof(PackageFeed).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "PooledGen.RepositoryRoot").Value!;
        Workspace = Directory.CreateTempSubdirectory("pooledgen-e2e-").FullName;
        Feed = Directory.CreateDirectory(Path.Combine(Workspace, "feed")).FullName;
        Cache = Directory.CreateDirectory(Path.Combine(Workspace, "nuget-cache")).FullName;

        var packed = Environment.GetEnvironmentVariable(PackagesVariable);
        if (string.IsNullOrEmpty(packed))
        {
            PackagesFolder = Feed;
            foreach (var project in new[] { "src/PooledGen.Runtime/PooledGen.Runtime.csproj", "src/PooledGen/PooledGen.csproj" })
            {
                var pack = DotNet.Run(RepositoryRoot, null, "pack", Path.Combine(RepositoryRoot, project), "-c", "Release", "-o", Feed, "-tl:off");
                if (pack.ExitCode != 0)
                {
                    throw new InvalidOperationException("Packing failed. " + pack.Describe());
                }
            }
        }
        else
        {
            PackagesFolder = Path.GetFullPath(packed);
            foreach (var file in Directory.GetFiles(PackagesFolder, "*.nupkg"))
            {
                File.Copy(file, Path.Combine(Feed, Path.GetFileName(file)));
            }
        }

        Version = ReadNuspec("PooledGen").Child("metadata").Child("version").Value;

        File.WriteAllText(Path.Combine(Workspace, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config>
                <add key="globalPackagesFolder" value="{Cache}" />
              </config>
              <packageSources>
                <add key="pooledgen-e2e" value="{Feed}" />
              </packageSources>
            </configuration>
            """);
        // Pins the consumers to the version under test; the consumers' own project files stay as a user writes them.
        File.WriteAllText(Path.Combine(Workspace, "Directory.Build.props"), $"""
            <Project>
              <PropertyGroup>
                <PooledGenVersion>{Version}</PooledGenVersion>
              </PropertyGroup>
            </Project>
            """);
        CopyDirectory(Path.Combine(AppContext.BaseDirectory, "Consumers"), Workspace);
    }

    /// <summary>The repository the packages come from.</summary>
    public string RepositoryRoot { get; }

    /// <summary>The temporary folder that holds the feed, the cache and the consumers.</summary>
    public string Workspace { get; }

    /// <summary>The folder feed the consumers restore PooledGen from.</summary>
    public string Feed { get; }

    /// <summary>The private NuGet global packages folder of the consumers.</summary>
    public string Cache { get; }

    /// <summary>Where the packages were packed: the folder named by <see cref="PackagesVariable"/>, or <see cref="Feed"/>.</summary>
    public string PackagesFolder { get; }

    /// <summary>The version of the packages under test.</summary>
    public string Version { get; }

    /// <summary>The environment of every consumer command: the private cache wins over any NUGET_PACKAGES of the machine.</summary>
    public IReadOnlyDictionary<string, string> ConsumerEnvironment => new Dictionary<string, string> { ["NUGET_PACKAGES"] = Cache };

    /// <summary>Runs <c>dotnet</c> in the workspace as the consumer's user.</summary>
    public CommandResult Consumer(params string[] arguments) => DotNet.Run(Workspace, ConsumerEnvironment, arguments);

    /// <summary>
    /// Runs <paramref name="command"/> the first time <paramref name="key"/> is asked for and returns that result to every
    /// test of the feed: a build or publish that several tests read (each then runs or inspects what it made).
    /// </summary>
    public CommandResult Once(string key, Func<CommandResult> command) =>
        _once.GetOrAdd(key, _ => new Lazy<CommandResult>(command)).Value;

    /// <summary>The path of a package file in <see cref="PackagesFolder"/>.</summary>
    public string PackagePath(string id, string extension = "nupkg") => Path.Combine(PackagesFolder, $"{id}.{Version}.{extension}");

    /// <summary>The entry names of a package file.</summary>
    public IReadOnlyList<string> Entries(string id, string extension = "nupkg")
    {
        using var zip = ZipFile.OpenRead(PackagePath(id, extension));
        return zip.Entries.Select(e => e.FullName).ToList();
    }

    /// <summary>The text of one entry of a package.</summary>
    public string ReadEntry(string id, string entry)
    {
        using var zip = ZipFile.OpenRead(PackagePath(id));
        using var reader = new StreamReader(zip.GetEntry(entry)!.Open());
        return reader.ReadToEnd();
    }

    /// <summary>The nuspec of a package, as XML.</summary>
    public XElement ReadNuspec(string id)
    {
        var file = Directory.GetFiles(PackagesFolder, $"{id}.*.nupkg")
            .Single(f => System.Text.RegularExpressions.Regex.IsMatch(Path.GetFileName(f), $@"^{System.Text.RegularExpressions.Regex.Escape(id)}\.\d"));
        using var zip = ZipFile.OpenRead(file);
        using var stream = zip.GetEntry($"{id}.nuspec")!.Open();
        return XElement.Load(stream);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Workspace, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is not a test failure.
        }
    }

    private static void CopyDirectory(string source, string destination)
    {
        foreach (var file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(destination, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target, overwrite: true);
        }
    }
}

/// <summary>Reads nuspec XML by local names: NuGet writes different schema namespaces depending on the package's features.</summary>
public static class NuspecXml
{
    public static XElement Child(this XElement element, string localName) =>
        element.Elements().FirstOrDefault(e => e.Name.LocalName == localName)
        ?? throw new InvalidOperationException($"<{element.Name.LocalName}> has no <{localName}>.");

    public static IEnumerable<XElement> Descendants(this XElement element, string localName) =>
        element.Descendants().Where(e => e.Name.LocalName == localName);
}

/// <summary>Every end-to-end test shares one feed, and they run one after another (each build uses both cores).</summary>
[CollectionDefinition(Name)]
public sealed class PackageFeedCollection : ICollectionFixture<PackageFeed>
{
    public const string Name = "package feed";
}
