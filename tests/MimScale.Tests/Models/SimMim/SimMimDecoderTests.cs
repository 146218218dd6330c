using MimScale.Models.SimMim;
using MimScale.Models.SwinV2;
using MimScale.Models.TensorFiles;
using MimScale.Models.Zoo;
using MimScale.Tests.Models.TensorFiles;
using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Tests.Models.SimMim;

/// <summary>
/// The decoders of the decoder-size study (paper Table 8): the official linear head and k SwinV2 blocks before it.
/// Shapes, the loss, gradients, official key names and a strict checkpoint round trip, on swinv2-pico at 32 px
/// (final grid 2x2, so the decoder blocks attend over 4 tokens).
/// </summary>
public class SimMimDecoderTests
{
    static SimMimOptions Options(DecoderKind kind, int depth = 2) =>
        ModelZoo.Get("swinv2-pico").Pretrain with { Decoder = kind, DecoderDepth = depth, Encoder = ModelZoo.Get("swinv2-pico").Pretrain.Encoder with { DropPathRate = 0 } };

    // (2, 3, 32, 32) images and a (2, 16, 16) model-patch mask of 8x8-pixel blocks (mask patch 8 = 4 model patches).
    static (Tensor X, Tensor Mask) Batch()
    {
        var g = new Generator(11);
        var x = randn(new long[] { 2, 3, 32, 32 }, generator: g);
        using var threshold = 0.4.ToScalar();
        var coarse = rand(new long[] { 2, 4, 4 }, generator: g).gt(threshold).to_type(ScalarType.Int64);
        return (x, coarse.repeat_interleave(4, 1).repeat_interleave(4, 2));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void ATransformerDecoderReconstructsTheImageShapeAndItsLossMatchesTheFeatureMapPath(int depth)
    {
        using var scope = NewDisposeScope();
        using var model = new SimMimModel(Options(DecoderKind.Transformer, depth), new Generator(3));
        SetPostNorms(model, 0.5);                    // off the identity start (see the next test)
        model.eval();
        var (x, mask) = Batch();
        var z = model.ForwardEncoder(x, mask);
        Assert.Equal(new long[] { 2, 128, 2, 2 }, z.shape);                  // 8C = 128, 32 px / stride 16
        var xRec = model.ForwardDecoder(z);
        Assert.Equal(new long[] { 2, 3, 32, 32 }, xRec.shape);
        double viaMap = model.ForwardLoss(x, xRec, mask).item<float>();
        double viaTokens = model.forward(x, mask).item<float>();
        Assert.True(double.IsFinite(viaTokens) && viaTokens > 0);
        Assert.Equal(viaMap, viaTokens, 5);
        Assert.Equal(depth, model.state_dict().Keys.Where(k => k.StartsWith("decoder_blocks.", StringComparison.Ordinal) && k.EndsWith(".norm1.weight", StringComparison.Ordinal)).Count());
    }

    [Fact]
    public void AtInitialisationTheBlocksAreIdentitiesSoTheLossEqualsTheLinearDecodersOnTheSameWeights()
    {
        // SwinV2's res-post-norm blocks start with norm1/norm2 weight and bias 0 (x + 0*attn, x + 0*mlp): a fresh
        // transformer decoder is the identity and the model equals the linear one with the same encoder and head.
        using var scope = NewDisposeScope();
        using var heavy = new SimMimModel(Options(DecoderKind.Transformer, 2), new Generator(3));
        using var linear = new SimMimModel(Options(DecoderKind.Linear), new Generator(4));
        var shared = heavy.state_dict().Where(kv => !kv.Key.StartsWith("decoder_blocks.", StringComparison.Ordinal)).ToDictionary(kv => kv.Key, kv => kv.Value);
        var report = ModelWeights.Load(linear, shared, "heavy", strict: true);
        Assert.True(report.Keys.IsMatch);
        heavy.eval(); linear.eval();
        var (x, mask) = Batch();
        Assert.Equal(linear.forward(x, mask).item<float>(), heavy.forward(x, mask).item<float>(), 6);
        SetPostNorms(heavy, 0.5);
        Assert.True(Math.Abs(linear.forward(x, mask).item<float>() - heavy.forward(x, mask).item<float>()) > 1e-3);
    }

    [Fact]
    public void EveryDecoderBlockParameterGetsAFiniteGradientAndTheEncoderStillLearns()
    {
        using var scope = NewDisposeScope();
        using var model = new SimMimModel(Options(DecoderKind.Transformer, 2), new Generator(3));
        SetPostNorms(model, 0.5);
        model.train();
        var (x, mask) = Batch();
        model.forward(x, mask).backward();
        var named = model.named_parameters().ToList();
        var blocks = named.Where(p => p.name.StartsWith("decoder_blocks.", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(blocks);
        foreach (var (name, p) in blocks)
        {
            Assert.NotNull(p.grad);
            double norm = p.grad!.norm().item<float>();
            Assert.True(double.IsFinite(norm) && norm > 0, $"{name}: gradient norm {norm}");
        }
        Assert.True(named.Single(p => p.name == "encoder.patch_embed.proj.weight").parameter.grad!.norm().item<float>() > 0);
        Assert.True(named.Single(p => p.name == "encoder.mask_token").parameter.grad!.norm().item<float>() > 0);
    }

    [Fact]
    public void DecoderBlocksUseTheOfficialSwinV2BlockNamesUnderDecoderBlocks()
    {
        using var model = new SimMimModel(Options(DecoderKind.Transformer, 2), new Generator(3));
        var keys = model.state_dict().Keys.ToList();
        // Documented key layout: decoder_blocks.{i}.<the official SwinTransformerBlock names>, then the linear head decoder.0.
        foreach (var k in new[] { "decoder_blocks.0.norm1.weight", "decoder_blocks.0.attn.qkv.weight", "decoder_blocks.0.attn.q_bias",
                     "decoder_blocks.0.attn.logit_scale", "decoder_blocks.0.attn.cpb_mlp.0.weight", "decoder_blocks.1.mlp.fc2.bias",
                     "decoder_blocks.1.norm2.bias", "decoder.0.weight", "decoder.0.bias" })
            Assert.Contains(k, keys);
        // Block for block the same names as an encoder block (the last stage's, whose width and heads it takes).
        var encoderBlock = keys.Where(k => k.StartsWith("encoder.layers.3.blocks.0.", StringComparison.Ordinal)).Select(k => k["encoder.layers.3.blocks.0.".Length..]).Order();
        Assert.Equal(encoderBlock, keys.Where(k => k.StartsWith("decoder_blocks.1.", StringComparison.Ordinal)).Select(k => k["decoder_blocks.1.".Length..]).Order());
        Assert.Equal(new long[] { 3 * 128, 128 }, model.state_dict()["decoder_blocks.0.attn.qkv.weight"].shape);
        using var linear = new SimMimModel(Options(DecoderKind.Linear), new Generator(3));
        Assert.DoesNotContain(linear.state_dict().Keys, k => k.StartsWith("decoder_blocks.", StringComparison.Ordinal));
        // `mimscale inspect` recognises every key of the layout and names the decoder.
        var arch = ArchitectureInference.FromStateDict(model.state_dict());
        Assert.Equal("2 SwinV2 blocks + Conv2d(128, 768, 1) + PixelShuffle(16)", arch.DecoderKind);
        Assert.Empty(arch.UnrecognisedKeys);
        Assert.Equal("Conv2d(128, 768, 1) + PixelShuffle(16)", ArchitectureInference.FromStateDict(linear.state_dict()).DecoderKind);
    }

    [Fact]
    public void ACheckpointRoundTripsStrictlyAndAFineTuneSetsTheDecoderBlocksAside()
    {
        using var dir = new TempFolder();
        using var scope = NewDisposeScope();
        using var model = new SimMimModel(Options(DecoderKind.Transformer, 2), new Generator(3));
        SetPostNorms(model, 0.5);
        model.eval();
        var path = Path.Combine(dir.Path, "heavy.safetensors");
        ModelWeights.Export(model, path);

        using var copy = new SimMimModel(Options(DecoderKind.Transformer, 2), new Generator(99));
        copy.eval();
        Assert.True(ModelWeights.Load(copy, path).Keys.IsMatch);
        var (x, mask) = Batch();
        Assert.Equal(model.forward(x, mask).item<float>(), copy.forward(x, mask).item<float>(), 6);

        // Strict loading names what does not fit: the blocks are unexpected in a linear-decoder model...
        using var linear = new SimMimModel(Options(DecoderKind.Linear), new Generator(3));
        var e = Assert.ThrowsAny<Exception>(() => ModelWeights.Load(linear, path));
        Assert.Contains("decoder_blocks.0.attn.qkv.weight", e.Message);
        // ...and missing from a one-block one.
        using var shallow = new SimMimModel(Options(DecoderKind.Transformer, 1), new Generator(3));
        Assert.Contains("decoder_blocks.1.", Assert.ThrowsAny<Exception>(() => ModelWeights.Load(shallow, path)).Message);

        // Fine-tuning takes the encoder only; the heavier decoder is set aside like the linear head.
        using var encoder = new SwinTransformerV2(ModelZoo.Get("swinv2-pico").Pretrain.Encoder with { NumClasses = 0 }, withMaskToken: false);
        var report = ModelWeights.Load(encoder, path);
        Assert.True(report.Keys.IsMatch);
        Assert.Contains("decoder_blocks.0.attn.qkv.weight", report.SetAside);
        Assert.Contains("decoder.0.weight", report.SetAside);
    }

    [Fact]
    public void ATransformerDecoderNeedsAtLeastOneBlock()
    {
        var e = Assert.Throws<ArgumentException>(() => Options(DecoderKind.Transformer, 0).Validate());
        Assert.Contains("decoder_depth", e.Message);
    }

    // Res-post-norm weights to a constant (bias 0): the blocks then change the tokens.
    static void SetPostNorms(SimMimModel model, double value)
    {
        using var _ = no_grad();
        using var v = value.ToScalar();
        foreach (var (name, p) in model.named_parameters())
            if (name.StartsWith("decoder_blocks.", StringComparison.Ordinal) && (name.EndsWith("norm1.weight", StringComparison.Ordinal) || name.EndsWith("norm2.weight", StringComparison.Ordinal)))
                p.fill_(v);
    }
}
