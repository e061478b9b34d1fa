using PooledGen;

namespace Scenarios;

[Pooled]
public partial struct Enemy
{
    public float X, Y, Health;
}

public static class Program
{
    public static int Main(string[] args)
    {
        string scenario = args.Length == 1 ? args[0] : "";
        switch (scenario)
        {
            case "free-after-dispose":
                DisposedHeap.FreeThroughEveryRoute();
                break;
            case "stale-free":
                StaleFree.OnAPrivateDebugHeap();
                break;
            case "startup-settings":
                StartupSettings.FirstAllocThenConfigure();
                break;
            case "local-heap":
                LocalHeapUse.AllocFreeMapAndDetach();
                break;
            case "thread-churn":
                ThreadChurn.ShortLivedThreads();
                break;
            default:
                Console.Error.WriteLine("usage: Scenarios free-after-dispose | stale-free | startup-settings | local-heap | thread-churn");
                return 2;
        }

        Console.WriteLine($"scenario {scenario} finished");
        return 0;
    }
}

/// <summary>Prints what each call did, one line each: `route => no exception`, or the exception's type and message.</summary>
public static class Report
{
    public static void Try(string route, Action action)
    {
        try
        {
            action();
            Console.WriteLine($"{route} => no exception");
        }
        catch (Exception e)
        {
            Console.WriteLine($"{route} => {Describe(e)}");
        }
    }

    public static string Describe(Exception e)
    {
        string message = e.Message.ReplaceLineEndings(" ");
        return e is ObjectDisposedException disposed
            ? $"{e.GetType().FullName} [ObjectName={disposed.ObjectName}]: {message}"
            : $"{e.GetType().FullName}: {message}";
    }
}
