using PooledGen;

namespace Legacy;

[Pooled]
public partial struct Enemy
{
    public float X, Y, Health;
}

[Pooled]
public partial struct Bullet
{
    public float X, Y, Speed;
}
