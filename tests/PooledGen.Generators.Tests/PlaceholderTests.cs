namespace PooledGen.Generators.Tests;

public class ProjectSetupTests
{
    [Fact]
    public void Generator_assembly_targets_netstandard20()
    {
        var asm = typeof(PooledGen.Generators.AssemblyMarker).Assembly;
        var tfm = asm.GetCustomAttributes(typeof(System.Runtime.Versioning.TargetFrameworkAttribute), false);
        Assert.Contains(tfm, a => ((System.Runtime.Versioning.TargetFrameworkAttribute)a).FrameworkName.StartsWith(".NETStandard,Version=v2.0"));
    }
}
