using MimScale.Models.Config;
using MimScale.Models.SwinV2;
using MimScale.Models.TensorFiles;
using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Tests.Models;

/// <summary>
/// Parity with the official SwinV2 at a non-square input (tests/fixtures/swinv2-cls-rect: img_size (64, 128), window
/// 4, ape on): stage grids 16x32 and 8x16 with shifted 4x8 / 2x4 window grids, 4x8 unshifted (min side = window),
/// 2x4 with the window clipped to 2.
/// </summary>
public class RectFixtureParityTests
{
    const double Abs = 1e-5;

    internal static SwinV2Options ClsRect => new()
    {
        ImgSize = new[] { 64, 128 }, PatchSize = 4, NumClasses = 10, EmbedDim = 10, Depths = new[] { 2, 2, 2, 2 },
        NumHeads = new[] { 2, 4, 8, 16 }, WindowSize = 4, DropPathRate = 0, Ape = true,
    };

    internal static string File(string f) => Path.Combine(Fixtures.Dir("swinv2-cls-rect"), f);

    internal static void AssertClose(Tensor expected, Tensor actual, double abs = Abs)
    {
        Assert.Equal(expected.shape, actual.shape);
        double diff = (expected.to_type(ScalarType.Float64) - actual.to_type(ScalarType.Float64)).abs().max().item<double>();
        Assert.True(diff <= abs, $"max abs difference {diff:E3} > {abs:E0}");
    }

    [Theory]
    [InlineData("model.pth")]
    [InlineData("model.safetensors")]
    public void NonSquareClassifierMatchesOfficialLogitsAndEveryStage(string file)
    {
        using var scope = NewDisposeScope();
        var model = new SwinTransformerV2(ClsRect);
        var report = ModelWeights.Load(model, File(file));
        Assert.True(report.Keys.IsMatch, report.ToString());
        model.eval();
        using var _ = torch.no_grad();
        var x = Npy.Read(File("input.npy"));
        Assert.Equal(new long[] { 4, 3, 64, 128 }, x.shape);
        AssertClose(Npy.Read(File("logits.npy")), model.forward(x));
        AssertClose(Npy.Read(File("features.npy")), model.ForwardFeatures(x));
        AssertClose(Npy.Read(File("final_norm.npy")), model.ForwardTokens(x));

        var tokens = model.Embed(x);                                           // patch embed + ape
        AssertClose(Npy.Read(File("embed.npy")), tokens);
        for (int k = 0; k < 4; k++)
        {
            var layer = model.Layers[k];
            AssertClose(Npy.Read(File($"stage{k}_block0.npy")), layer.Blocks[0].forward(tokens));
            AssertClose(Npy.Read(File($"rpb_stage{k}_block0.npy")), layer.Blocks[0].Attention.RelativePositionBias());
            tokens = layer.ForwardBlocks(tokens);
            AssertClose(Npy.Read(File($"stage{k}_blocks.npy")), tokens);
            tokens = layer.Downsample(tokens);
            AssertClose(Npy.Read(File($"stage{k}.npy")), tokens);
        }
    }

    [Fact]
    public void ModelJsonReadsTheOfficialHeightWidthPairAndTheWindowsOfEachStage()
    {
        var o = ModelJson.ReadSwinV2(File("model.json"));
        Assert.Equal(new[] { 64, 128 }, o.ImgSize);
        Assert.True(o.Ape);
        Assert.Equal((16, 32), o.StageResolution(0));
        Assert.Equal((4, 2), o.EffectiveWindow(1, 1));     // 8x16: the odd block shifts
        Assert.Equal((4, 0), o.EffectiveWindow(2, 1));     // 4x8: min side = window -> no shift, window kept
        Assert.Equal((2, 0), o.EffectiveWindow(3, 0));     // 2x4: window clipped to min(2, 4)
        var model = new SwinTransformerV2(o);
        Assert.Equal(new long[] { 1, 16 * 32, 10 }, model.state_dict()["absolute_pos_embed"].shape);
        Assert.Equal(new long[] { 32, 16, 16 }, model.state_dict()["layers.0.blocks.1.attn_mask"].shape);   // 4x8 windows
    }
}
