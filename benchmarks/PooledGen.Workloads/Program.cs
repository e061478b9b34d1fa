using System;
using System.Linq;
using PooledGen.Workloads.BinaryTrees;
using PooledGen.Workloads.Larson;
using PooledGen.Workloads.Speed;

namespace PooledGen.Workloads;

/// <summary>
/// The workload programs: <c>speed</c>, <c>binarytrees</c> and <c>larson</c>, each measuring PooledGen against its
/// peers in the same run and writing a markdown table and a JSON file of results.
/// </summary>
public static class Program
{
    private const string Usage = """
        PooledGen workloads: PooledGen against mimalloc, pymalloc, glibc and the GC, side by side in one run.
        usage: dotnet run -c Release --project benchmarks/PooledGen.Workloads -- COMMAND [options]
        Each writes COMMAND.md and COMMAND.json; --quick on any of them checks that it works (not a measurement).
        """;

    /// <summary>Runs the command named by the first argument.</summary>
    public static int Main(string[] args)
    {
        var command = args.FirstOrDefault();
        try
        {
            var arguments = new Arguments(args.Skip(1).ToArray());
            return command switch
            {
                "speed" => SpeedCommand.Run(arguments),
                "binarytrees" => BinaryTreesCommand.Run(arguments),
                "larson" => LarsonCommand.Run(arguments),
                null or "help" or "--help" or "-h" => PrintUsage(),
                _ => throw new UsageException($"Unknown command '{command}'."),
            };
        }
        catch (BinaryTrees.ChecksumMismatchException e)
        {
            Console.Error.WriteLine("CHECKSUM MISMATCH: " + e.Message);
            return 1;
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine("Run with `help` for the commands and their options.");
            return 2;
        }
    }

    private static int PrintUsage()
    {
        Console.WriteLine(string.Join("\n\n", Usage, SpeedCommand.Usage, BinaryTreesCommand.Usage, LarsonCommand.Usage));
        return 0;
    }
}
