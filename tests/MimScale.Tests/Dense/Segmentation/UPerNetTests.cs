using MimScale.Dense.Backbone;
using MimScale.Dense.Segmentation;
using MimScale.Models.Zoo;
using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Tests.Dense.Segmentation;

/// <summary>UPerNet on the pico backbone: mmseg's parameter names and shapes, output sizes for square and non-square inputs, the loss.</summary>
public class UPerNetTests
{
    // swinv2-pico laid out for 64 px, window 8: C = 16, maps 16/32/64/128 channels at strides 2/4/8/16.
    static UPerNet Pico(int classes = 11, int channels = 24, int aux = 8) =>
        new(new DenseBackbone(ModelZoo.Get("swinv2-pico").Finetune with { NumClasses = 0, ImgSize = new[] { 64, 64 }, WindowSize = 8 }, new Generator(0)),
            new UPerNetOptions(classes, channels, aux), new Generator(1));

    [Fact]
    public void KeysAndShapesAreMmsegs()
    {
        using var scope = NewDisposeScope();
        var shapes = Pico().state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.shape);
        void Has(string key, params long[] shape) => Assert.True(shapes.TryGetValue(key, out var s) && s.SequenceEqual(shape), $"{key}: [{string.Join(",", shapes.GetValueOrDefault(key) ?? [])}]");
        Has("decode_head.psp_modules.0.1.conv.weight", 24, 128, 1, 1);
        Has("decode_head.psp_modules.3.1.bn.running_var", 24);
        Has("decode_head.psp_modules.3.1.bn.num_batches_tracked");
        Has("decode_head.bottleneck.conv.weight", 24, 128 + 4 * 24, 3, 3);
        Has("decode_head.lateral_convs.0.conv.weight", 24, 16, 1, 1);
        Has("decode_head.lateral_convs.2.conv.weight", 24, 64, 1, 1);
        Has("decode_head.fpn_convs.2.conv.weight", 24, 24, 3, 3);
        Has("decode_head.fpn_bottleneck.conv.weight", 24, 4 * 24, 3, 3);
        Has("decode_head.fpn_bottleneck.bn.weight", 24);
        Has("decode_head.conv_seg.weight", 11, 24, 1, 1);
        Has("decode_head.conv_seg.bias", 11);
        Has("auxiliary_head.convs.0.conv.weight", 8, 64, 3, 3);
        Has("auxiliary_head.convs.0.bn.running_mean", 8);
        Has("auxiliary_head.conv_seg.weight", 11, 8, 1, 1);
        Has("backbone.patch_embed.proj.weight", 16, 3, 2, 2);
        Has("backbone.norm3.weight", 128);
        // ConvModule convs have no bias (a norm follows); the top level has no lateral conv (the PPM is its lateral).
        Assert.DoesNotContain("decode_head.bottleneck.conv.bias", shapes.Keys);
        Assert.DoesNotContain("decode_head.lateral_convs.3.conv.weight", shapes.Keys);
        Assert.DoesNotContain("decode_head.fpn_convs.3.conv.weight", shapes.Keys);

        // Head parameters by mmseg's structure, C = 16, ch = 24, K = 11, aux 8.
        long c = 16, ch = 24, k = 11;
        long decode = 4 * (8 * c * ch + 2 * ch) + (8 * c + 4 * ch) * ch * 9 + 2 * ch + 7 * c * ch + 3 * 2 * ch
                      + 3 * (ch * ch * 9 + 2 * ch) + 4 * ch * ch * 9 + 2 * ch + ch * k + k;
        long auxiliary = 4 * c * 8 * 9 + 2 * 8 + 8 * k + k;
        var model = Pico();
        Assert.Equal(decode, model.named_parameters().Where(p => p.name.StartsWith("decode_head.", StringComparison.Ordinal)).Sum(p => p.parameter.numel()));
        Assert.Equal(auxiliary, model.named_parameters().Where(p => p.name.StartsWith("auxiliary_head.", StringComparison.Ordinal)).Sum(p => p.parameter.numel()));
    }

    [Theory]
    [InlineData(64, 64)]
    [InlineData(48, 80)]
    [InlineData(37, 21)]
    public void LogitsHaveTheFinestStrideAndEncodeDecodeTheInputSize(int h, int w)
    {
        using var scope = NewDisposeScope();
        var model = Pico();
        model.eval();
        using var _ = torch.no_grad();
        var x = torch.randn(new long[] { 2, 3, h, w }, generator: new Generator(2));
        // Patch 2: the finest map is ceil(side / 2).
        Assert.Equal(new long[] { 2, 11, (h + 1) / 2, (w + 1) / 2 }, model.forward(x).shape);
        Assert.Equal(new long[] { 2, 11, h, w }, model.EncodeDecode(x).shape);
    }

    [Fact]
    public void TheLossAveragesOverAllPixelsAsMmsegsDefault()
    {
        using var scope = NewDisposeScope();
        // Zero logits: every labelled pixel costs ln K; half the pixels ignored.
        var logits = torch.zeros(1, 4, 2, 2);
        var labels = torch.tensor(new long[] { 0, 3, 255, 255 }, new long[] { 1, 2, 2 });
        Assert.Equal(Math.Log(4) / 2, SegmentationLoss.CrossEntropy(logits, labels).item<float>(), 5);
        Assert.Equal(Math.Log(4), SegmentationLoss.CrossEntropy(logits, labels, avgNonIgnore: true).item<float>(), 5);
        // Logits at half resolution are resized bilinearly to the label size first: constant logits stay constant.
        var small = torch.tensor(new float[] { 2, 0 }, new long[] { 1, 2, 1, 1 });
        var full = torch.zeros(new long[] { 1, 3, 3 }, dtype: ScalarType.Int64);
        Assert.Equal(Math.Log(1 + Math.Exp(-2)), SegmentationLoss.CrossEntropy(small, full).item<float>(), 5);
    }

    [Fact]
    public void LayerDecayPutsTheHeadsOnTopAndSparesNormsAndBiases()
    {
        using var scope = NewDisposeScope();
        var model = Pico();
        var groups = SegmentationModel.ParameterGroupsOf(model, 0.05, 0.9);
        (double Decay, double Scale) Of(string name)
        {
            var g = groups.Single(g => g.Parameters.Any(p => p.Name == name));
            return (g.WeightDecay, g.LrScale);
        }
        // pico depths 1,1,2,1: 5 blocks, layer ids 0..6; scale 0.9^(6 - id).
        Assert.Equal((0.05, Math.Pow(0.9, 6)), Of("patch_embed.proj.weight"));
        Assert.Equal((0.05, Math.Pow(0.9, 4)), Of("layers.1.blocks.0.mlp.fc1.weight"));
        Assert.Equal((0.0, Math.Pow(0.9, 4)), Of("layers.1.blocks.0.attn.cpb_mlp.0.weight"));
        Assert.Equal((0.05, 1.0), Of("decode_head.fpn_bottleneck.conv.weight"));
        Assert.Equal((0.0, 1.0), Of("decode_head.fpn_bottleneck.bn.weight"));
        Assert.Equal((0.0, 1.0), Of("decode_head.conv_seg.bias"));
        Assert.Equal((0.05, 1.0), Of("auxiliary_head.conv_seg.weight"));
        Assert.Equal((0.0, 1.0), Of("norm2.weight"));
        Assert.Equal(model.parameters().Count(), groups.Sum(g => g.Parameters.Count));
    }
}
