using System.Diagnostics;
using System.Reflection;

namespace PooledGen.Runtime.Tests;

/// <summary>
/// Runs a scenario in a fresh process: this test assembly started again with <see cref="Main"/> as its entry point.
/// For what a process reads once (debug mode, the start-up settings) or what must not take the test run down with it.
/// </summary>
public static class ChildProcess
{
    /// <summary>
    /// Runs the static method named by the first two arguments (type, method), passing the rest as its string
    /// parameters; exit code 0 when it returns.
    /// </summary>
    public static int Main(string[] args)
    {
        try
        {
            if (Environment.GetEnvironmentVariable("POOLEDGEN_DEBUG") == "1")
            {
                Assert.True(PooledHeap.IsDebugEnabled, "POOLEDGEN_DEBUG=1 did not switch debug mode on");
            }

            MethodInfo scenario = typeof(ChildProcess).Assembly.GetType(args[0], throwOnError: true)!.GetMethod(args[1])!;
            scenario.Invoke(null, args[2..]);
            Console.WriteLine("scenario passed");
            return 0;
        }
        catch (TargetInvocationException e)
        {
            Console.WriteLine(e.InnerException);
            return 1;
        }
        catch (Exception e)
        {
            Console.WriteLine(e);
            return 1;
        }
    }

    /// <summary>
    /// Runs <paramref name="scenario"/> (a public static method of <paramref name="scenarios"/> taking
    /// <paramref name="arguments"/>) in a child process whose only <c>POOLEDGEN_*</c> variables are
    /// <paramref name="environment"/>, and fails when it does.
    /// </summary>
    internal static void Run(Type scenarios, string scenario, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        string host = Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";
        var start = new ProcessStartInfo(host)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(typeof(ChildProcess).Assembly.Location);
        start.ArgumentList.Add(scenarios.FullName!);
        start.ArgumentList.Add(scenario);
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (string inherited in start.Environment.Keys.Where(k => k.StartsWith("POOLEDGEN_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(inherited);
        }

        foreach ((string name, string value) in environment)
        {
            start.Environment[name] = value;
        }

        using Process child = Process.Start(start)!;
        Task<string> error = child.StandardError.ReadToEndAsync();
        string output = child.StandardOutput.ReadToEnd();
        Assert.True(child.WaitForExit(120_000), $"the child process of scenario {scenario} did not end");
        string settings = string.Join(" ", environment.Select(e => $"{e.Key}={e.Value}"));
        Assert.True(child.ExitCode == 0, $"scenario {scenario} failed in the child process ({settings}):\n{output}\n{error.Result}");
    }
}
