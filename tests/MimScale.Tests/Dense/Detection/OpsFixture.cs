using System.Text.Json;
using MimScale.Models.TensorFiles;
using static TorchSharp.torch;

namespace MimScale.Tests.Dense.Detection;

/// <summary>tests/fixtures/torchvision-ops: torchvision 0.14.1 outputs and the numpy re-statements of mmdet (generate.py).</summary>
internal static class OpsFixture
{
    public const double Abs = 1e-5;

    public static Tensor Load(string name) => Npy.Read(Path.Combine(Fixtures.Dir("torchvision-ops"), name));

    public static JsonElement Cases(string section)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Fixtures.Dir("torchvision-ops"), "cases.json")));
        return doc.RootElement.GetProperty(section).Clone();
    }

    /// <summary>|expected - actual| &lt;= abs + rel·|expected| everywhere (rel for values far above 1, where a float32 ulp exceeds abs).</summary>
    public static void AssertClose(Tensor expected, Tensor actual, double abs = Abs, double rel = 0)
    {
        Assert.Equal(expected.shape, actual.shape);
        var e = expected.to_type(ScalarType.Float64);
        var excess = e.sub(actual.detach().cpu().to_type(ScalarType.Float64)).abs().sub(e.abs().mul(rel));
        double worst = excess.max().item<double>();
        Assert.True(worst <= abs, $"max difference beyond {rel:E0} relative is {worst:E3} > {abs:E0}");
    }

    public static long[] Longs(Tensor t) => t.cpu().to_type(ScalarType.Int64).data<long>().ToArray();
}
