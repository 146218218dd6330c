using MimScale.Models.TensorFiles;
using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Tests.Models.TensorFiles;

/// <summary>The official fixtures read the same from model.pth, wrapped.pth and model.safetensors.</summary>
public class TensorFileFixtureTests
{
    internal static string Fixture(string caseName, string file) => Path.Combine(Fixtures.Dir(caseName), file);

    internal static void AssertBitIdentical(IReadOnlyDictionary<string, Tensor> expected, IReadOnlyDictionary<string, Tensor> actual)
    {
        Assert.Equal(expected.Keys.OrderBy(k => k, StringComparer.Ordinal), actual.Keys.OrderBy(k => k, StringComparer.Ordinal));
        foreach (var (name, e) in expected)
        {
            var a = actual[name];
            Assert.True(e.dtype == a.dtype, $"{name}: dtype {e.dtype} vs {a.dtype}");
            Assert.True(e.shape.SequenceEqual(a.shape), $"{name}: shape differs");
            Assert.True(e.bytes.SequenceEqual(a.bytes), $"{name}: bytes differ");
        }
    }

    [Theory]
    [InlineData("swinv2-cls-a", "wrapped.pth")]
    [InlineData("swinv2-cls-a", "model.safetensors")]
    [InlineData("simmim-a", "model.safetensors")]
    public void AllFormatsHoldTheSameTensors(string caseName, string other)
    {
        using var scope = NewDisposeScope();
        var pth = TensorFile.Read(Fixture(caseName, "model.pth"));
        var second = TensorFile.Read(Fixture(caseName, other));
        AssertBitIdentical(pth, second);
    }

    [Fact]
    public void ClassifierPthHasTheOfficialKeysShapesAndDtypes()
    {
        using var scope = NewDisposeScope();
        var content = TensorFile.Load(Fixture("swinv2-cls-a", "model.pth"));
        var sd = content.Tensors;
        Assert.Equal(TensorFileFormat.PyTorchZip, content.Format);
        Assert.Equal("", content.StateDictPath);
        Assert.Empty(content.Ignored);
        Assert.Equal(171, sd.Count);
        // File order is the module order of the official model.
        Assert.Equal("patch_embed.proj.weight", sd.Keys.First());
        Assert.Equal("head.bias", sd.Keys.Last());
        Assert.Equal(new long[] { 10, 3, 4, 4 }, sd["patch_embed.proj.weight"].shape);
        Assert.Equal(ScalarType.Float32, sd["patch_embed.proj.weight"].dtype);
        Assert.True(sd.ContainsKey("layers.0.blocks.1.attn_mask"));
        Assert.False(sd.ContainsKey("layers.0.blocks.0.attn_mask"));
        Assert.Equal(new long[] { 16, 16, 16 }, sd["layers.0.blocks.1.attn_mask"].shape);
        Assert.Equal(ScalarType.Int64, sd["layers.0.blocks.0.attn.relative_position_index"].dtype);
        Assert.Equal(new long[] { 1, 7, 7, 2 }, sd["layers.0.blocks.0.attn.relative_coords_table"].shape);
        Assert.Equal(new long[] { 10, 80 }, sd["head.weight"].shape);
        // README: layers.0.blocks.0.attn.logit_scale[0] is 5.0 (the clamp probe).
        Assert.Equal(5.0f, sd["layers.0.blocks.0.attn.logit_scale"][0, 0, 0].ToSingle());
        // relative_position_index of a 4x4 window: (dh+3)*7 + (dw+3); token 0 to itself is 3*7+3 = 24, to token 15 is 0.
        var rpi = sd["layers.0.blocks.0.attn.relative_position_index"];
        Assert.Equal(24L, rpi[0, 0].ToInt64());
        Assert.Equal(48L, rpi[15, 0].ToInt64()); // token 15 (3,3) to token 0: (3+3)*7 + (3+3)
        Assert.Equal(0L, rpi[0, 15].ToInt64());
        Assert.All(sd.Values, t => Assert.True(t.is_contiguous() && t.device_type == DeviceType.CPU));
    }

    [Fact]
    public void WrappedPthReportsTheModelKey()
    {
        using var scope = NewDisposeScope();
        var content = TensorFile.Load(Fixture("swinv2-cls-a", "wrapped.pth"));
        Assert.Equal("model", content.StateDictPath);
        Assert.Empty(content.Ignored);
        Assert.Equal(171, content.Tensors.Count);
    }

    [Fact]
    public void SimMimPthHasEncoderAndDecoderKeys()
    {
        using var scope = NewDisposeScope();
        var sd = TensorFile.Read(Fixture("simmim-a", "model.pth"));
        Assert.Equal(172, sd.Count);
        Assert.All(sd.Keys, k => Assert.True(k.StartsWith("encoder.", StringComparison.Ordinal) || k.StartsWith("decoder.0.", StringComparison.Ordinal), k));
        Assert.Equal(new long[] { 1, 1, 8 }, sd["encoder.mask_token"].shape);
        Assert.Equal(new long[] { 3072, 64, 1, 1 }, sd["decoder.0.weight"].shape);
        Assert.DoesNotContain(sd.Keys, k => k.StartsWith("encoder.head", StringComparison.Ordinal));
    }

    [Fact]
    public void SafetensorsMetadataIsRead()
    {
        using var scope = NewDisposeScope();
        var content = TensorFile.Load(Fixture("simmim-a", "model.safetensors"));
        Assert.Equal(TensorFileFormat.Safetensors, content.Format);
        Assert.Equal("simmim-a", content.Metadata["case"]);
        Assert.Equal("pt", content.Metadata["format"]);
    }

    [Theory]
    [InlineData("swinv2-cls-a", "wrapped.pth")]
    [InlineData("simmim-a", "model.safetensors")]
    public void HeaderAgreesWithTheFullRead(string caseName, string file)
    {
        using var scope = NewDisposeScope();
        string path = Fixture(caseName, file);
        var header = TensorFile.LoadHeader(path);
        var full = TensorFile.Load(path);
        Assert.Equal(full.Format, header.Format);
        Assert.Equal(full.StateDictPath, header.StateDictPath);
        Assert.Equal(full.Tensors.Keys, header.Tensors.Select(t => t.Name));
        foreach (var t in header.Tensors)
        {
            Assert.Equal(full.Tensors[t.Name].shape, t.Shape);
            Assert.Equal(full.Tensors[t.Name].dtype, t.DType);
            Assert.Equal(full.Tensors[t.Name].numel(), t.Numel);
        }
    }
}
