using MimScale.Dense.Backbone;
using MimScale.Models.SwinV2;
using MimScale.Models.TensorFiles;
using MimScale.Tests.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Tests.Dense.Backbone;

/// <summary>The SwinV2 dense backbone: names, shapes at any size, parity with the classifier and the official fixture, pre-trained loading.</summary>
public class DenseBackboneTests
{
    static SwinV2Options Rect => RectFixtureParityTests.ClsRect;

    /// <summary>A segmentor-like holder, to see the keys a backbone has under <c>backbone.</c>.</summary>
    sealed class Holder : nn.Module
    {
        private readonly DenseBackbone backbone;
        public Holder(DenseBackbone b) : base(nameof(Holder)) { backbone = b; RegisterComponents(); }
    }

    static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    static DenseBackbone FromRectFixture()
    {
        var classifier = new SwinTransformerV2(Rect);
        Assert.True(ModelWeights.Load(classifier, RectFixtureParityTests.File("model.safetensors")).Keys.IsMatch);
        using (classifier) return new DenseBackbone(classifier);
    }

    [Fact]
    public void StateDictReadsBackboneLayersAndOneNewNormPerStage()
    {
        using var scope = NewDisposeScope();
        var backbone = new DenseBackbone(Rect, new Generator(0));
        var keys = new Holder(backbone).state_dict().Keys.ToList();
        Assert.Contains("backbone.patch_embed.proj.weight", keys);
        Assert.Contains("backbone.absolute_pos_embed", keys);
        Assert.Contains("backbone.layers.0.blocks.0.attn.cpb_mlp.0.weight", keys);
        Assert.Contains("backbone.layers.2.downsample.reduction.weight", keys);
        for (int i = 0; i < 4; i++)
        {
            Assert.Contains($"backbone.norm{i}.weight", keys);
            Assert.Equal(new long[] { 10 << i }, backbone.state_dict()[$"norm{i}.bias"].shape);
        }
        // The classifier's final norm and head are not part of a dense backbone (as in mmseg/mmdet).
        Assert.DoesNotContain("backbone.norm.weight", keys);
        Assert.DoesNotContain(keys, k => k.Contains("head."));
        // Everything else is the classifier's encoder, key for key.
        var encoderKeys = new SwinTransformerV2(Rect with { NumClasses = 0 }).state_dict().Keys.Where(k => !k.StartsWith("norm.", StringComparison.Ordinal)).Select(k => "backbone." + k);
        Assert.Equal(encoderKeys.Concat(Enumerable.Range(0, 4).SelectMany(i => new[] { $"backbone.norm{i}.weight", $"backbone.norm{i}.bias" })).Order(), keys.Order());
        Assert.Equal(new[] { 10, 20, 40, 80 }, backbone.Channels);
        Assert.Equal(new[] { 4, 8, 16, 32 }, backbone.Strides);
    }

    [Theory]
    [InlineData(64, 128)]   // the configured size
    [InlineData(64, 64)]    // square
    [InlineData(50, 77)]    // nothing divides: pads at the patch, at every window and at every merging
    [InlineData(97, 33)]
    [InlineData(13, 200)]   // thinner than one window at every stage
    [InlineData(160, 96)]   // multiples of 32 but not of 32 * window
    public void OutputMapsHaveStageChannelsAndCeilOfSizeOverStride(int height, int width)
    {
        using var scope = NewDisposeScope();
        var backbone = new DenseBackbone(Rect, new Generator(1));
        backbone.eval();
        using var _ = torch.no_grad();
        var maps = backbone.forward(torch.randn(new long[] { 2, 3, height, width }, generator: new Generator(2)));
        Assert.Equal(4, maps.Length);
        for (int i = 0; i < 4; i++)
        {
            int stride = 4 << i;
            Assert.Equal(new long[] { 2, 10 << i, (height + stride - 1) / stride, (width + stride - 1) / stride }, maps[i].shape);
            Assert.Equal((int)maps[i].shape[2], backbone.OutputSize(height, width, i).H);
            Assert.True(maps[i].isfinite().all().item<bool>());
            // Fresh output norms (weight 1, bias 0): every pixel's channels are normalised.
            Assert.True(maps[i].mean(new long[] { 1 }).abs().max().item<float>() < 1e-4);
        }
    }

    [Fact]
    public void AtTheConfiguredSizeMapsAreTheClassifiersPreMergingStagesAndTheOfficialOnes()
    {
        using var scope = NewDisposeScope();
        var classifier = new SwinTransformerV2(Rect);
        ModelWeights.Load(classifier, RectFixtureParityTests.File("model.pth"));
        classifier.eval();
        var backbone = new DenseBackbone(classifier);
        backbone.eval();
        using var _ = torch.no_grad();
        var x = Npy.Read(RectFixtureParityTests.File("input.npy"));
        var maps = backbone.forward(x);

        var tokens = classifier.Embed(x);
        for (int i = 0; i < 4; i++)
        {
            var (h, w) = Rect.StageResolution(i);
            long c = 10 << i;
            tokens = classifier.Layers[i].ForwardBlocks(tokens);
            var expected = nn.functional.layer_norm(tokens, new long[] { c }, eps: 1e-5).view(4, h, w, c).permute(0, 3, 1, 2);
            Assert.True(Same(expected, maps[i]), $"stage {i} differs from the classifier's");          // bit for bit
            var official = nn.functional.layer_norm(Npy.Read(RectFixtureParityTests.File($"stage{i}_blocks.npy")), new long[] { c }, eps: 1e-5)
                .view(4, h, w, c).permute(0, 3, 1, 2);
            // LayerNorm scales the 1e-5 token tolerance by 1/std of each token (std ~ 2 here).
            RectFixtureParityTests.AssertClose(official, maps[i], 2e-5);
            tokens = classifier.Layers[i].Downsample(tokens);
        }
    }

    [Theory]
    [InlineData(64, 192)]   // 16x48 .. 2x6: the same windows and shifts as at 64x128, no padding
    [InlineData(64, 64)]    // square from a non-square embedding
    public void ApeIsResizedBicubicallyToAnotherGrid(int height, int width)
    {
        using var scope = NewDisposeScope();
        var backbone = FromRectFixture();
        backbone.eval();
        // The classifier built for this size, with the same weights and the embedding resized as the official Swin detection backbone does.
        var other = new SwinTransformerV2(Rect with { ImgSize = new[] { height, width } });
        using (torch.no_grad())
        {
            var source = backbone.state_dict();
            foreach (var (name, t) in other.named_parameters())
            {
                if (name == "absolute_pos_embed")
                {
                    var grid = source[name].view(1, 16, 32, 10).permute(0, 3, 1, 2);
                    t.copy_(nn.functional.interpolate(grid, new long[] { height / 4, width / 4 }, mode: InterpolationMode.Bicubic, align_corners: false)
                        .flatten(2).transpose(1, 2));
                }
                else if (source.TryGetValue(name, out var s)) t.copy_(s);
            }
        }
        other.eval();
        using var _ = torch.no_grad();
        for (int i = 0; i < 4; i++)
            Assert.Equal(other.Options.EffectiveWindow(i, 1), Rect.EffectiveWindow(i, 1));
        var x = torch.randn(new long[] { 2, 3, height, width }, generator: new Generator(4));
        var maps = backbone.forward(x);
        var tokens = other.Layers[0].ForwardBlocks(other.Embed(x));
        var (h, w) = other.Options.StageResolution(0);
        var expected = nn.functional.layer_norm(tokens, new long[] { 10 }, eps: 1e-5).view(2, h, w, 10).permute(0, 3, 1, 2);
        Assert.True((expected - maps[0]).abs().max().item<float>() <= 1e-5);
        // And not simply the unresized embedding's prefix: without ape the maps differ.
        var noApe = FromRectFixture();
        using (torch.no_grad()) noApe.state_dict()["absolute_pos_embed"].zero_();
        noApe.eval();
        Assert.True((noApe.forward(x)[0] - maps[0]).abs().max().item<float>() > 1e-3);
    }

    [Fact]
    public void SimMimCheckpointLoadsIntoABackboneWithAnotherWindow()
    {
        using var scope = NewDisposeScope();
        string file = Path.Combine(Fixtures.Dir("simmim-a"), "model.pth");
        // simmim-a: 64 px, window 4 -> effective windows [4,4,4,2]. The backbone: 128 px, window 8 -> [8,8,8,4].
        var options = FixtureParityTests.SimA(0).Encoder with { ImgSize = new[] { 128, 128 }, WindowSize = 8 };
        var (backbone, report) = DenseBackbone.FromPretrained(options, file);
        Assert.NotNull(report);
        Assert.True(report!.Keys.IsMatch, report.ToString());
        Assert.Contains(report.SetAside, k => k.StartsWith("decoder.", StringComparison.Ordinal));
        Assert.Equal(new[] { 4, 4, 4, 2 }, backbone.Options.PretrainedWindowSizes);
        Assert.Equal(8, backbone.Layers[0].Blocks[0].Window);
        Assert.Equal(4, backbone.Layers[3].Blocks[0].Window);

        var encoder = TensorFile.Read(file);
        var mine = backbone.state_dict();
        Assert.True(Same(encoder["encoder.layers.1.blocks.1.attn.qkv.weight"], mine["layers.1.blocks.1.attn.qkv.weight"]));
        Assert.True(Same(encoder["encoder.patch_embed.proj.weight"], mine["patch_embed.proj.weight"]));

        // Log-spaced coordinates normalised by the pre-training window: the window-8 bias at offsets within +-3 is the
        // pre-trained window-4 bias (same coordinates through the same cpb_mlp).
        var pretrained = new SwinTransformerV2(FixtureParityTests.SimA(0).Encoder);
        ModelWeights.Load(pretrained, file);
        using var _ = torch.no_grad();
        var bias8 = backbone.Layers[0].Blocks[0].Attention.RelativePositionBias();                // (1, 64, 64)
        var bias4 = pretrained.Layers[0].Blocks[0].Attention.RelativePositionBias();              // (1, 16, 16)
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++)
                Assert.Equal(bias4[0, 0, i * 4 + j].item<float>(), bias8[0, 0, i * 8 + j].item<float>(), 5);

        backbone.eval();
        var maps = backbone.forward(torch.randn(new long[] { 1, 3, 100, 72 }, generator: new Generator(6)));
        Assert.Equal(new long[] { 1, 64, 4, 3 }, maps[3].shape);
        Assert.True(maps[3].isfinite().all().item<bool>());
        foreach (var t in encoder.Values) t.Dispose();
    }

    [Fact]
    public void GradientsReachEveryParameterThroughThePaddedPaths()
    {
        using var scope = NewDisposeScope();
        var backbone = new DenseBackbone(Rect with { DropPathRate = 0.1 }, new Generator(7));
        // The res-post-norm init zeroes norm1/norm2 (no gradient into attention or MLP yet): open the branches.
        using (torch.no_grad())
            foreach (var (name, p) in backbone.named_parameters())
                if (name.EndsWith("norm1.weight", StringComparison.Ordinal) || name.EndsWith("norm2.weight", StringComparison.Ordinal)) p.fill_(1.0);
        backbone.train();
        var maps = backbone.forward(torch.randn(new long[] { 2, 3, 50, 77 }, generator: new Generator(8)));
        // Weight each map by a fixed random tensor so that no LayerNorm gradient cancels out.
        var loss = maps.Select((m, i) => (m * torch.randn(m.shape, generator: new Generator((ulong)(20 + i)))).sum()).Aggregate((a, b) => a + b);
        loss.backward();
        foreach (var (name, p) in backbone.named_parameters())
        {
            Assert.NotNull(p.grad);
            Assert.True(p.grad!.isfinite().all().item<bool>(), name);
            Assert.True(p.grad.abs().sum().item<float>() > 0, $"{name} has a zero gradient");
        }
    }

    [Fact]
    public void ScratchBackboneIsSeededAndWrongChannelsAreAClearError()
    {
        using var scope = NewDisposeScope();
        var (a, report) = DenseBackbone.FromPretrained(Rect, "scratch", generator: new Generator(9));
        Assert.Null(report);
        var b = new DenseBackbone(Rect, new Generator(9));
        Assert.True(Same(a.state_dict()["layers.0.blocks.0.attn.qkv.weight"], b.state_dict()["layers.0.blocks.0.attn.qkv.weight"]));
        var e = Assert.Throws<ArgumentException>(() => a.forward(torch.zeros(1, 1, 32, 32)));
        Assert.Contains("(B, 3, H, W)", e.Message);
    }
}
