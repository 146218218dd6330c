using MimScale.Dense.Detection.Ops;
using static TorchSharp.torch;

namespace MimScale.Tests.Dense.Detection.Ops;

/// <summary>RoIAlign against torchvision.ops.roi_align (0.14.1): outputs and gradients to the features.</summary>
public class RoiAlignTests
{
    public static TheoryData<string, int, int, int, bool> Cases => new()
    {
        { "s2_7x7", 7, 7, 2, true },
        { "s0_5x4", 5, 4, 0, true },           // adaptive: grids from 1x1 to 12x12 per RoI
        { "s0_2x2", 2, 2, 0, true },
        { "s2_legacy_3x5", 3, 5, 2, false },   // aligned=False (torchvision's MultiScaleRoIAlign)
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Float32OutputAndFeatureGradientAreBitIdenticalToTorchvision(string name, int outH, int outW, int ratio, bool aligned)
    {
        using var scope = NewDisposeScope();
        var feats = OpsFixture.Load("roi_features.npy").requires_grad_(true);  // [2, 3, 12, 16]
        var rois = OpsFixture.Load("roi_rois.npy");                            // [24, 5]: outside, tiny, huge, degenerate
        var output = RoiAlign.Forward(feats, rois, outH, outW, 0.5, ratio, aligned);
        OpsFixture.AssertClose(OpsFixture.Load($"roi_{name}_out.npy"), output, abs: 0);
        output.mul(OpsFixture.Load($"roi_{name}_upstream.npy")).sum().backward();
        OpsFixture.AssertClose(OpsFixture.Load($"roi_{name}_grad.npy"), feats.grad!, abs: 0);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void TheTensorOpPathForOtherDevicesMatchesTorchvision(string name, int outH, int outW, int ratio, bool aligned)
    {
        using var scope = NewDisposeScope();
        var feats = OpsFixture.Load("roi_features.npy").requires_grad_(true);
        var rois = OpsFixture.Load("roi_rois.npy");
        var output = RoiAlign.Forward(feats, rois, outH, outW, 0.5, ratio, aligned, cpuKernel: false);
        OpsFixture.AssertClose(OpsFixture.Load($"roi_{name}_out.npy"), output);
        output.mul(OpsFixture.Load($"roi_{name}_upstream.npy")).sum().backward();
        OpsFixture.AssertClose(OpsFixture.Load($"roi_{name}_grad.npy"), feats.grad!);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Float64TakesTheTensorOpPathAndMatchesTorchvision(string name, int outH, int outW, int ratio, bool aligned)
    {
        using var scope = NewDisposeScope();
        // float64 takes the device-agnostic path (RoiAlignSampling + sparse product) that a GPU would take
        var feats = OpsFixture.Load("roi_features.npy").to_type(ScalarType.Float64).requires_grad_(true);
        var rois = OpsFixture.Load("roi_rois.npy").to_type(ScalarType.Float64);
        var output = RoiAlign.Forward(feats, rois, outH, outW, 0.5, ratio, aligned);
        Assert.Equal(ScalarType.Float64, output.dtype);
        OpsFixture.AssertClose(OpsFixture.Load($"roi_{name}_out.npy"), output);
        output.mul(OpsFixture.Load($"roi_{name}_upstream.npy").to_type(ScalarType.Float64)).sum().backward();
        OpsFixture.AssertClose(OpsFixture.Load($"roi_{name}_grad.npy"), feats.grad!);
    }

    [Fact]
    public void AZeroSizeRoiPoolsToZeroWithAdaptiveSampling()
    {
        using var scope = NewDisposeScope();
        var feats = OpsFixture.Load("roi_features.npy");
        var rois = OpsFixture.Load("roi_rois.npy")[6..7];                      // [0, 11, 11, 11, 11]
        var output = RoiAlign.Forward(feats, rois, 2, 2, 0.5, samplingRatio: 0);
        Assert.Equal(0.0, output.abs().max().item<float>());
        // with a fixed grid every sample of the same RoI lands on 11 * 0.5 - 0.5 = 5: pixel (5, 5) exactly
        var fixedGrid = RoiAlign.Forward(feats, rois, 2, 2, 0.5, samplingRatio: 2);     // [1, 3, 2, 2]
        Assert.Equal(feats[0, 1, 5, 5].item<float>(), fixedGrid[0, 1, 1, 0].item<float>(), 6);
    }

    [Fact]
    public void NoRoisGiveAnEmptyOutputAndBadBatchIndicesAreNamed()
    {
        using var scope = NewDisposeScope();
        var feats = zeros(2, 3, 8, 8);
        Assert.Equal(new long[] { 0, 3, 7, 7 }, RoiAlign.Forward(feats, zeros(0, 5), 7, 7, 1.0).shape);
        var bad = tensor(new float[] { 2, 0, 0, 4, 4 }).view(1, 5);
        var ex = Assert.Throws<ArgumentException>(() => RoiAlign.Forward(feats, bad, 7, 7, 1.0));
        Assert.Contains("batch indices span 2..2", ex.Message);
        Assert.Throws<ArgumentException>(() => RoiAlign.Forward(feats, zeros(3, 4), 7, 7, 1.0));
    }
}
