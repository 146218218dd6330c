using MimScale.Dense.Detection.Ops;
using static TorchSharp.torch;

namespace MimScale.Tests.Dense.Detection.Ops;

/// <summary>mmdet's map_roi_levels and SingleRoIExtractor (re-stated with torchvision roi_align in generate.py).</summary>
public class MultiLevelRoiExtractorTests
{
    [Fact]
    public void LevelsMatchMmdetAtTheBinBoundaries()
    {
        using var scope = NewDisposeScope();
        var levels = RoiLevelMapper.Map(OpsFixture.Load("ml_rois.npy"), 4);  // square sizes 111.9, 112, 223.9, 224, 447, 448...
        Assert.Equal(OpsFixture.Longs(OpsFixture.Load("ml_levels.npy")), OpsFixture.Longs(levels));
        Assert.Equal(new long[] { 0, 1, 2, 3 }, OpsFixture.Longs(OpsFixture.Load("ml_levels.npy")).Distinct().Order().ToArray());
    }

    [Fact]
    public void HandComputedLevels()
    {
        using var scope = NewDisposeScope();
        var rois = tensor(new float[] { 0, 0, 0, 111, 111, 0, 0, 0, 112, 112, 0, 10, 10, 458, 458, 0, 0, 0, 2000, 2000 }).view(4, 5);
        Assert.Equal(new long[] { 0, 1, 3, 3 }, OpsFixture.Longs(RoiLevelMapper.Map(rois, 4)));
        Assert.Equal(new long[] { 0, 1, 2, 2 }, OpsFixture.Longs(RoiLevelMapper.Map(rois, 3)));
    }

    [Theory]
    [InlineData(true, 0.0)]    // the CPU kernel: bit-identical
    [InlineData(false, 1e-5)]  // the tensor-op path of other devices
    public void PooledFeaturesAndGradientsOfEveryLevelMatchTheReference(bool cpuKernel, double abs)
    {
        // float32 only: in float64 an adaptive grid ceil(roi_w / 7) of exactly 3 can become 4 (RoIs 6 and 9 here)
        using var scope = NewDisposeScope();
        var feats = Enumerable.Range(0, 4).Select(l => OpsFixture.Load($"ml_feat{l}.npy").requires_grad_(true)).ToArray();
        var rois = OpsFixture.Load("ml_rois.npy");
        var extractor = MultiLevelRoiExtractor.MaskRcnnBox with { CpuKernel = cpuKernel };
        var output = extractor.Forward(feats, rois);                                // [12, 2, 7, 7]
        OpsFixture.AssertClose(OpsFixture.Load("ml_out.npy"), output, abs);
        output.mul(OpsFixture.Load("ml_upstream.npy")).sum().backward();
        for (int l = 0; l < 4; l++) OpsFixture.AssertClose(OpsFixture.Load($"ml_grad{l}.npy"), feats[l].grad!, abs);
    }

    [Fact]
    public void ASingleLevelExtractorEqualsRoiAlign()
    {
        using var scope = NewDisposeScope();
        var f = OpsFixture.Load("roi_features.npy");
        var rois = OpsFixture.Load("roi_rois.npy");
        var one = new MultiLevelRoiExtractor(new[] { 2 }, 5, 4).Forward(new[] { f }, rois);
        Assert.Equal(0.0, one.sub(RoiAlign.Forward(f, rois, 5, 4, 0.5, 0)).abs().max().item<float>());
        Assert.Throws<ArgumentException>(() => MultiLevelRoiExtractor.MaskRcnnBox.Forward(new[] { f }, rois));
    }
}
