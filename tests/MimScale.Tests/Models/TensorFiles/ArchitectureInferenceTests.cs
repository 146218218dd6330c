using System.Text.Json;
using MimScale.Models.TensorFiles;
using static TorchSharp.torch;

namespace MimScale.Tests.Models.TensorFiles;

public class ArchitectureInferenceTests
{
    static JsonElement Config(string caseName) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(Fixtures.Dir(caseName), "config.json"))).RootElement;

    static int[] Ints(JsonElement array) => array.EnumerateArray().Select(e => e.GetInt32()).ToArray();

    [Theory]
    [InlineData("swinv2-cls-a", "model.pth")]
    [InlineData("swinv2-cls-a", "model.safetensors")]
    [InlineData("simmim-a", "model.pth")]
    public void FixturesMatchTheirConfig(string caseName, string file)
    {
        using var scope = NewDisposeScope();
        var arch = ArchitectureInference.FromStateDict(TensorFile.Read(TensorFileFixtureTests.Fixture(caseName, file)));
        var cfg = Config(caseName);
        var hp = cfg.GetProperty("hyperparameters");
        Assert.Equal(hp.GetProperty("embed_dim").GetInt32(), arch.EmbedDim);
        Assert.Equal(hp.GetProperty("patch_size").GetInt32(), arch.PatchSize);
        Assert.Equal(hp.GetProperty("in_chans").GetInt32(), arch.InChans);
        Assert.Equal(Ints(hp.GetProperty("depths")), arch.Depths);
        Assert.Equal(Ints(hp.GetProperty("num_heads")), arch.NumHeads);
        Assert.Equal(hp.GetProperty("mlp_ratio").GetDouble(), arch.MlpRatio);
        Assert.Equal(hp.GetProperty("img_size").GetInt32(), arch.ImageSize);
        Assert.Equal(cfg.GetProperty("stages").EnumerateArray()
            .Select(s => s.GetProperty("blocks")[0].GetProperty("window_size_effective").GetInt32()), arch.WindowSizes);
        Assert.Equal(cfg.GetProperty("num_parameters").GetInt64(), arch.ParameterCount);
        Assert.Null(arch.ZooName);
        Assert.Empty(arch.UnrecognisedKeys);
        Assert.False(arch.AbsolutePositionEmbedding);
        if (caseName == "simmim-a")
        {
            Assert.Equal(CheckpointKind.SimMim, arch.Kind);
            Assert.Equal("encoder.", arch.KeyPrefix);
            Assert.Equal(cfg.GetProperty("encoder_stride").GetInt32(), arch.EncoderStride);
            Assert.Equal(cfg.GetProperty("decoder").GetString(), arch.DecoderKind);
            Assert.Equal(0, arch.NumClasses);
            Assert.Equal(64, arch.NumFeatures);
        }
        else
        {
            Assert.Equal(CheckpointKind.Classifier, arch.Kind);
            Assert.Equal(hp.GetProperty("num_classes").GetInt32(), arch.NumClasses);
            Assert.Equal(cfg.GetProperty("num_features").GetInt32(), arch.NumFeatures);
            Assert.Null(arch.EncoderStride);
        }
    }

    [Fact]
    public void ExactParameterCounts()
    {
        using var scope = NewDisposeScope();
        Assert.Equal(269_228, ArchitectureInference.FromStateDict(TensorFile.Read(TensorFileFixtureTests.Fixture("swinv2-cls-a", "model.pth"))).ParameterCount);
        Assert.Equal(372_318, ArchitectureInference.FromStateDict(TensorFile.Read(TensorFileFixtureTests.Fixture("simmim-a", "model.safetensors"))).ParameterCount);
    }

    /// <summary>Shapes of an official SwinV2 state dict (SPEC §1.2 layout), buffers included, for window 8 at 256 px.</summary>
    internal static Dictionary<string, long[]> SwinV2Shapes(int c, int[] depths, int[] heads, int classes, string prefix = "")
    {
        var sd = new Dictionary<string, long[]>();
        void Add(string key, params long[] shape) => sd[prefix + key] = shape;
        Add("patch_embed.proj.weight", c, 3, 4, 4);
        Add("patch_embed.proj.bias", c);
        Add("patch_embed.norm.weight", c);
        Add("patch_embed.norm.bias", c);
        int res = 64;
        for (int i = 0; i < depths.Length; i++)
        {
            long d = (long)c << i;
            int w = Math.Min(8, res);
            for (int j = 0; j < depths[i]; j++)
            {
                string b = $"layers.{i}.blocks.{j}.";
                if (j % 2 == 1 && res > w) Add(b + "attn_mask", (res / w) * (res / w), w * w, w * w);
                foreach (var n in new[] { "norm1", "norm2" }) { Add(b + n + ".weight", d); Add(b + n + ".bias", d); }
                Add(b + "attn.logit_scale", heads[i], 1, 1);
                Add(b + "attn.q_bias", d);
                Add(b + "attn.v_bias", d);
                Add(b + "attn.relative_coords_table", 1, 2 * w - 1, 2 * w - 1, 2);
                Add(b + "attn.relative_position_index", w * w, w * w);
                Add(b + "attn.cpb_mlp.0.weight", 512, 2);
                Add(b + "attn.cpb_mlp.0.bias", 512);
                Add(b + "attn.cpb_mlp.2.weight", heads[i], 512);
                Add(b + "attn.qkv.weight", 3 * d, d);
                Add(b + "attn.proj.weight", d, d);
                Add(b + "attn.proj.bias", d);
                Add(b + "mlp.fc1.weight", 4 * d, d);
                Add(b + "mlp.fc1.bias", 4 * d);
                Add(b + "mlp.fc2.weight", d, 4 * d);
                Add(b + "mlp.fc2.bias", d);
            }
            if (i < depths.Length - 1)
            {
                Add($"layers.{i}.downsample.reduction.weight", 2 * d, 4 * d);
                Add($"layers.{i}.downsample.norm.weight", 2 * d);
                Add($"layers.{i}.downsample.norm.bias", 2 * d);
                res /= 2;
            }
        }
        long f = (long)c << (depths.Length - 1);
        Add("norm.weight", f);
        Add("norm.bias", f);
        if (classes > 0) { Add("head.weight", classes, f); Add("head.bias", classes); }
        return sd;
    }

    // SPEC §1.1 parameter counts with the 1000-class head, in millions to two decimals (G to one).
    [Theory]
    [InlineData("SwinV2-T", 96, new[] { 2, 2, 6, 2 }, new[] { 3, 6, 12, 24 }, 28.35)]
    [InlineData("SwinV2-S", 96, new[] { 2, 2, 18, 2 }, new[] { 3, 6, 12, 24 }, 49.73)]
    [InlineData("SwinV2-B", 128, new[] { 2, 2, 18, 2 }, new[] { 4, 8, 16, 32 }, 87.92)]
    [InlineData("SwinV2-L", 192, new[] { 2, 2, 18, 2 }, new[] { 6, 12, 24, 48 }, 196.74)]
    [InlineData("SwinV2-H", 352, new[] { 2, 2, 18, 2 }, new[] { 11, 22, 44, 88 }, 658.03)]
    [InlineData("SwinV2-g", 448, new[] { 2, 2, 18, 2 }, new[] { 14, 28, 56, 112 }, 1064.56)]
    [InlineData("SwinV2-G", 512, new[] { 2, 2, 42, 4 }, new[] { 16, 32, 64, 128 }, 3001.9)]
    public void ZooSizesAreNamedAndCounted(string name, int c, int[] depths, int[] heads, double millions)
    {
        var arch = ArchitectureInference.FromShapes(SwinV2Shapes(c, depths, heads, 1000));
        Assert.Equal(name, arch.ZooName);
        Assert.Equal(depths, arch.Depths);
        Assert.Equal(heads, arch.NumHeads);
        Assert.Equal(new[] { 8, 8, 8, 8 }, arch.WindowSizes);
        Assert.Equal(256, arch.ImageSize);
        Assert.Equal(1000, arch.NumClasses);
        int decimals = name == "SwinV2-G" ? 1 : 2;
        Assert.Equal(millions, Math.Round(arch.ParameterCount / 1e6, decimals));
    }

    [Fact]
    public void ReleasedNamingVariantsInferTheSame()
    {
        // DDP 'module.' prefix and the old 'rpe_mlp' name of released data-scaling checkpoints; SimMIM layout, no head.
        var plain = SwinV2Shapes(128, new[] { 2, 2, 18, 2 }, new[] { 4, 8, 16, 32 }, 0, prefix: "encoder.");
        plain["encoder.mask_token"] = new long[] { 1, 1, 128 };
        plain["decoder.0.weight"] = new long[] { 3072, 1024, 1, 1 };
        plain["decoder.0.bias"] = new long[] { 3072 };
        var released = plain.ToDictionary(kv => "module." + kv.Key.Replace("cpb_mlp", "rpe_mlp"), kv => kv.Value);
        released["module.encoder.layers.2.blocks.5.extra_norm.weight"] = new long[] { 512 };

        var a = ArchitectureInference.FromShapes(plain);
        var b = ArchitectureInference.FromShapes(released);
        Assert.Equal(CheckpointKind.SimMim, b.Kind);
        Assert.Equal("SwinV2-B", b.ZooName);
        Assert.Equal(32, b.EncoderStride);
        Assert.Equal("Conv2d(1024, 3072, 1) + PixelShuffle(32)", b.DecoderKind);
        Assert.Equal(a.NumHeads, b.NumHeads);
        Assert.Equal(a.ParameterCount + 512, b.ParameterCount);
        Assert.Equal(new[] { "encoder.layers.2.blocks.5.extra_norm.weight" }, b.UnrecognisedKeys);
        Assert.Equal(CheckpointKind.EncoderOnly,
            ArchitectureInference.FromShapes(SwinV2Shapes(96, new[] { 2, 2, 6, 2 }, new[] { 3, 6, 12, 24 }, 0)).Kind);
    }

    [Fact]
    public void NonSwinStateDictsAreExplained()
    {
        var e = Assert.Throws<ArgumentException>(() => ArchitectureInference.FromShapes(new Dictionary<string, long[]> { ["fc.weight"] = new long[] { 2, 3 } }));
        Assert.Contains("no 'patch_embed.proj.weight'", e.Message);
        var noBlocks = new Dictionary<string, long[]> { ["patch_embed.proj.weight"] = new long[] { 8, 3, 4, 4 } };
        Assert.Contains("layers.<i>.blocks.<j>", Assert.Throws<ArgumentException>(() => ArchitectureInference.FromShapes(noBlocks)).Message);
    }
}
