using MimScale.Models.SimMim;
using MimScale.Models.SwinV2;
using MimScale.Models.Zoo;
using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Tests.Models.Zoo;

public class ZooTests
{
    // SPEC §1.1: backbone params (M) and GFLOPs at 192/w12, 224/w14, 256/w8, 256/w16, head of 1000 classes included.
    public static TheoryData<string, double, double, double, double, double, double> PaperTable => new()
    {
        { "swinv2-tiny", 27.58, 28.35, 3.49, 4.89, 5.93, 6.61 },
        { "swinv2-small", 48.96, 49.73, 6.74, 9.41, 11.51, 12.65 },
        { "swinv2-base", 86.89, 87.92, 11.76, 16.32, 20.29, 21.80 },
        { "swinv2-large", 195.20, 196.74, 25.96, 35.81, 45.23, 47.49 },
        { "swinv2-huge", 655.21, 658.03, 85.75, 117.59, 150.74, 154.89 },
        { "swinv2-giant", 1060.98, 1064.56, 138.27, 189.31, 243.64, 248.92 },
        { "swinv2-G", 2997.8, 3001.9, 370.74, 506.89, 654.61, 665.49 },
    };

    [Theory, MemberData(nameof(PaperTable))]
    public void ParametersAndFlopsMatchTheSpecTableWithinHalfAPercent(string name, double backbone, double withHead,
        double g192, double g224, double g256w8, double g256w16)
    {
        var enc = ModelZoo.Get(name).Pretrain.Encoder with { NumClasses = 0 };
        var cls = enc with { NumClasses = 1000 };
        AssertClose(backbone, ModelCost.Parameters(enc) / 1e6);
        AssertClose(withHead, ModelCost.Parameters(cls) / 1e6);
        AssertClose(g192, ModelCost.Flops(cls) / 1e9);
        AssertClose(g224, ModelCost.Flops(cls with { ImgSize = new[] { 224, 224 }, WindowSize = 14 }) / 1e9);
        AssertClose(g256w8, ModelCost.Flops(cls with { ImgSize = new[] { 256, 256 }, WindowSize = 8 }) / 1e9);
        AssertClose(g256w16, ModelCost.Flops(cls with { ImgSize = new[] { 256, 256 }, WindowSize = 16 }) / 1e9);
    }

    static void AssertClose(double expected, double actual) =>
        Assert.True(Math.Abs(actual - expected) <= 0.005 * expected, $"expected {expected}, got {actual}");

    [Fact]
    public void PaperSizesPretrainAt192Window12AndFinetuneAt224Window14()
    {
        foreach (var e in ModelZoo.All.Where(e => !e.CpuScale))
        {
            Assert.Equal(new[] { 192, 192 }, e.Pretrain.Encoder.ImgSize);
            Assert.Equal(12, e.Pretrain.Encoder.WindowSize);
            Assert.Equal(32, e.Pretrain.EncoderStride);
            Assert.Equal(new[] { 224, 224 }, e.Finetune.ImgSize);
            Assert.Equal(14, e.Finetune.WindowSize);
            Assert.Equal(new[] { 12, 12, 12, 6 }, e.Finetune.PretrainedWindowSizes);
            // The effective pre-training windows are exactly the fine-tune config's pretrained windows.
            Assert.Equal(e.Finetune.PretrainedWindowSizes, ModelZoo.EffectiveWindows(e.Pretrain.Encoder));
        }
    }

    public static TheoryData<string> AllNames
    {
        get { var d = new TheoryData<string>(); foreach (var e in ModelZoo.All) d.Add(e.Name); return d; }
    }

    /// <summary>
    /// Every zoo size at a tiny resolution (64 px, window 4): forward and backward of the SimMIM model, official key
    /// names, and a parameter count equal to the formula. The largest sizes keep their widths and heads but one block
    /// per stage, so the test fits in memory and time.
    /// </summary>
    [Theory, MemberData(nameof(AllNames))]
    public void EveryZooSizeRunsForwardBackwardWithOfficialKeys(string name)
    {
        var entry = ModelZoo.Get(name);
        var enc = entry.Pretrain.Encoder;
        bool big = ModelCost.Parameters(enc) > 100_000_000;
        int img = entry.CpuScale ? enc.ImgSize[0] : 64;
        enc = enc with { ImgSize = new[] { img, img }, WindowSize = 4, DropPathRate = 0.1 };
        if (big) enc = enc with { Depths = enc.Depths.Select(_ => 1).ToArray() };
        var options = entry.Pretrain with { Encoder = enc, NormTargetWindow = entry.CpuScale ? 7 : 15 };

        using var scope = NewDisposeScope();
        var model = new SimMimModel(options, new Generator(1));
        var keys = model.state_dict().Keys.ToHashSet();
        Assert.Equal(OfficialKeys(enc, simmim: true).OrderBy(k => k), keys.OrderBy(k => k));
        long built = model.parameters().Sum(p => p.numel());
        long decoder = (long)enc.NumFeatures * options.EncoderStride * options.EncoderStride * 3 + options.EncoderStride * options.EncoderStride * 3;
        Assert.Equal(ModelCost.Parameters(enc with { NumClasses = 0 }) + enc.EmbedDim + decoder, built);

        model.train();
        var gen = new Generator(2);
        var x = torch.randn(new long[] { 2, 3, img, img }, generator: gen);
        var mask = (torch.rand(new long[] { 2, img / enc.PatchSize, img / enc.PatchSize }, generator: gen) < 0.6).to_type(ScalarType.Int64);
        var loss = model.forward(x, mask);
        loss.backward();
        Assert.True(float.IsFinite(loss.item<float>()) && loss.item<float>() > 0);
        var maskTokenGrad = model.named_parameters().Single(p => p.name == "encoder.mask_token").parameter.grad;
        Assert.NotNull(maskTokenGrad);
        Assert.True(maskTokenGrad!.abs().sum().item<float>() > 0);
    }

    /// <summary>The official state-dict keys (SPEC §2.6), written out independently of the modules.</summary>
    internal static IEnumerable<string> OfficialKeys(SwinV2Options o, bool simmim)
    {
        string p = simmim ? "encoder." : "";
        var keys = new List<string> { "patch_embed.proj.weight", "patch_embed.proj.bias", "patch_embed.norm.weight", "patch_embed.norm.bias" };
        for (int i = 0; i < o.Depths.Length; i++)
        {
            int res = o.ImgSize[0] / o.PatchSize >> i;
            for (int j = 0; j < o.Depths[i]; j++)
            {
                string b = $"layers.{i}.blocks.{j}.";
                keys.AddRange(new[] { "norm1.weight", "norm1.bias", "attn.logit_scale", "attn.q_bias", "attn.v_bias",
                    "attn.cpb_mlp.0.weight", "attn.cpb_mlp.0.bias", "attn.cpb_mlp.2.weight", "attn.qkv.weight", "attn.proj.weight",
                    "attn.proj.bias", "attn.relative_coords_table", "attn.relative_position_index", "norm2.weight", "norm2.bias",
                    "mlp.fc1.weight", "mlp.fc1.bias", "mlp.fc2.weight", "mlp.fc2.bias" }.Select(s => b + s));
                if (j % 2 == 1 && res > o.WindowSize) keys.Add(b + "attn_mask");
            }
            if (i < o.Depths.Length - 1)
                keys.AddRange(new[] { "reduction.weight", "norm.weight", "norm.bias" }.Select(s => $"layers.{i}.downsample.{s}"));
        }
        keys.AddRange(new[] { "norm.weight", "norm.bias" });
        if (!simmim && o.NumClasses > 0) keys.AddRange(new[] { "head.weight", "head.bias" });
        var all = keys.Select(k => p + k).ToList();
        if (simmim) all.AddRange(new[] { "encoder.mask_token", "decoder.0.weight", "decoder.0.bias" });
        return all;
    }

    [Fact]
    public void UnknownZooNameIsAClearError()
    {
        var ex = Assert.Throws<ArgumentException>(() => ModelZoo.Get("swinv2-enormous"));
        Assert.Contains("swinv2-base", ex.Message);
    }
}
