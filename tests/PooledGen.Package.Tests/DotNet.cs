using System.Diagnostics;
using System.Text;

namespace PooledGen.Package.Tests;

/// <summary>The output and exit code of one <c>dotnet</c> command.</summary>
public sealed record CommandResult(string CommandLine, int ExitCode, string Output, TimeSpan Duration)
{
    /// <summary>The command and the end of its output, for assertion messages.</summary>
    public string Describe(int tailLines = 60)
    {
        var lines = Output.Split('\n');
        var tail = string.Join('\n', lines.Skip(Math.Max(0, lines.Length - tailLines)));
        return $"`{CommandLine}` exited {ExitCode} after {Duration.TotalSeconds:F0} s; output (last {tailLines} lines):\n{tail}";
    }
}

/// <summary>Runs the <c>dotnet</c> CLI as a user would, in a clean environment.</summary>
public static class DotNet
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Runs <c>dotnet</c> with <paramref name="arguments"/> in <paramref name="workingDirectory"/>.
    /// The variables that <c>dotnet test</c> sets for its own MSBuild are removed, so the child resolves the SDK
    /// as a user's shell would; <paramref name="environment"/> is set on top.
    /// </summary>
    public static CommandResult Run(string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] arguments) =>
        RunProgram("dotnet", workingDirectory, environment, arguments);

    /// <summary>
    /// Runs <paramref name="program"/> (<c>dotnet</c>, or a native executable a publish produced) as <see cref="Run"/>
    /// runs <c>dotnet</c>: in a clean environment with <paramref name="environment"/> on top, killed after the timeout.
    /// </summary>
    public static CommandResult RunProgram(string program, string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var name in start.Environment.Keys.ToList())
        {
            if (name.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || name.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase))
            {
                start.Environment.Remove(name);
            }
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        // No build nodes or compiler servers outlive the test.
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["UseSharedCompilation"] = "false";
        if (environment is not null)
        {
            foreach (var (name, value) in environment)
            {
                start.Environment[name] = value;
            }
        }

        var output = new StringBuilder();
        var clock = Stopwatch.StartNew();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var commandLine = string.Join(' ', [program, .. arguments]);
        if (!process.WaitForExit(s_timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            return new CommandResult(commandLine, -1, output + $"\n(killed after {s_timeout.TotalMinutes} minutes)", clock.Elapsed);
        }

        process.WaitForExit(); // drains the asynchronous output readers
        return new CommandResult(commandLine, process.ExitCode, output.ToString(), clock.Elapsed);
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.Append(line).Append('\n');
        }
    }
}
