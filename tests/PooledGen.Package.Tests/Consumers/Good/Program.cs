using PooledGen;

namespace Consumer;

[Pooled]
public partial struct Point3
{
    public double X, Y, Z;
}

[Pooled]
public partial struct Tag
{
    public int Id;
}

public static class Program
{
    public static int Main()
    {
        // Many live blocks at once, written and read back through the handles, then all freed.
        var points = new Pooled<Point3>[10_000];
        for (var i = 0; i < points.Length; i++)
        {
            points[i] = Point3.Alloc(new Point3 { X = i, Y = 2 * i, Z = 3 * i });
        }

        double sum = 0;
        foreach (var p in points)
        {
            sum += p.Value.X + p.Value.Y + p.Value.Z;
        }

        foreach (var p in points)
        {
            Point3.Free(p);
        }

        // Generic code over any pooled type, through the interface the generator implements.
        var tag = Make<Tag>();
        tag.Value.Id = 7;
        var id = tag.Value.Id;
        Tag.Free(tag);

        Console.WriteLine($"Point3: PooledSize={Point3.PooledSize} PooledBlockSize={Point3.PooledBlockSize}");
        Console.WriteLine($"Tag: PooledSize={Tag.PooledSize} PooledBlockSize={Tag.PooledBlockSize}");
        Console.WriteLine($"sum={sum} id={id}");
        Console.WriteLine("consumer ok");
        return 0;
    }

    private static Pooled<T> Make<T>() where T : unmanaged, IPooled<T> => T.Alloc();
}
