using MimScale.Models.TensorFiles;
using static TorchSharp.torch;

namespace MimScale.Tests.Models.TensorFiles;

public class StateDictKeysTests
{
    [Fact]
    public void NormalizeStripsModuleRenamesRpeMlpAndListsRebuiltBuffers()
    {
        var raw = new Dictionary<string, int>
        {
            ["module.encoder.layers.0.blocks.0.attn.rpe_mlp.0.weight"] = 1,
            ["module.encoder.layers.0.blocks.0.attn.relative_position_index"] = 2,
            ["module.encoder.layers.0.blocks.1.attn_mask"] = 3,
            ["encoder.layers.0.blocks.1.attn.relative_coords_table"] = 4,
            ["module.decoder.0.weight"] = 5,
            ["encoder.layers.0.blocks.0.attn.my_rpe_mlp_note"] = 6, // only whole segments are renamed
        };
        var sd = StateDictKeys.NormalizeOfficialKeys(raw, out var report);
        Assert.Equal(new[]
        {
            "encoder.layers.0.blocks.0.attn.cpb_mlp.0.weight", "encoder.layers.0.blocks.0.attn.relative_position_index",
            "encoder.layers.0.blocks.1.attn_mask", "encoder.layers.0.blocks.1.attn.relative_coords_table", "decoder.0.weight",
            "encoder.layers.0.blocks.0.attn.my_rpe_mlp_note",
        }, sd.Keys);
        Assert.Equal(new[] { 1, 2, 3, 4, 5, 6 }, sd.Values);
        Assert.Equal(4, report.ModulePrefixStripped);
        Assert.Equal(new[] { ("encoder.layers.0.blocks.0.attn.rpe_mlp.0.weight", "encoder.layers.0.blocks.0.attn.cpb_mlp.0.weight") }, report.Renamed);
        Assert.Equal(new[] { "encoder.layers.0.blocks.0.attn.relative_position_index", "encoder.layers.0.blocks.1.attn_mask",
            "encoder.layers.0.blocks.1.attn.relative_coords_table" }, report.RebuiltBuffers);

        var kept = StateDictKeys.WithoutRebuiltBuffers(sd, out var dropped);
        Assert.Equal(3, kept.Count);
        Assert.Equal(report.RebuiltBuffers, dropped);
    }

    [Fact]
    public void NormalizeRefusesKeysThatCollide()
    {
        var raw = new Dictionary<string, int> { ["module.norm.weight"] = 1, ["norm.weight"] = 2 };
        Assert.Contains("'norm.weight'", Assert.Throws<ArgumentException>(() => StateDictKeys.NormalizeOfficialKeys(raw, out _)).Message);
    }

    [Fact]
    public void StripEncoderPrefixKeepsTheEncoderOfTheSimMimFixture()
    {
        using var scope = NewDisposeScope();
        var simmim = TensorFile.Read(TensorFileFixtureTests.Fixture("simmim-a", "model.pth"));
        Assert.True(StateDictKeys.HasEncoderPrefix(simmim));
        var encoder = StateDictKeys.StripEncoderPrefix(simmim, out var dropped);
        Assert.Equal(new[] { "decoder.0.weight", "decoder.0.bias" }, dropped);
        Assert.Equal(170, encoder.Count);
        Assert.Equal("mask_token", encoder.Keys.First()); // the encoder's own parameter precedes its children in state_dict order
        Assert.Same(simmim["encoder.mask_token"], encoder["mask_token"]);
        Assert.False(StateDictKeys.HasEncoderPrefix(encoder));
    }

    [Fact]
    public void CompareKeysReportsMissingUnexpectedAndShapes()
    {
        using var scope = NewDisposeScope();
        var sd = TensorFile.Read(TensorFileFixtureTests.Fixture("swinv2-cls-a", "model.safetensors"));
        var expected = StateDictKeys.Shapes(sd).ToDictionary(kv => kv.Key, kv => kv.Value);
        Assert.True(StateDictKeys.CompareKeys(expected, sd).IsMatch);
        Assert.Equal("all keys match", StateDictKeys.CompareKeys(expected, sd).ToString());

        expected.Remove("head.bias");
        expected["layers.0.blocks.0.attn.extra"] = new long[] { 3 };
        expected["head.weight"] = new long[] { 1000, 80 };
        var report = StateDictKeys.CompareKeys(expected, sd);
        Assert.False(report.IsMatch);
        Assert.Equal(new[] { "layers.0.blocks.0.attn.extra" }, report.Missing);
        Assert.Equal(new[] { "head.bias" }, report.Unexpected);
        var m = Assert.Single(report.ShapeMismatches);
        Assert.Equal("head.weight", m.Name);
        Assert.Equal(new long[] { 1000, 80 }, m.Expected);
        Assert.Equal(new long[] { 10, 80 }, m.Actual);
        string text = report.ToString();
        Assert.Contains("1 missing (in the model, not in the checkpoint):\n  layers.0.blocks.0.attn.extra", text.Replace("\r", ""));
        Assert.Contains("head.weight: model (1000, 80), checkpoint (10, 80)", text);

        var e = Assert.Throws<StateDictMismatchException>(() => report.ThrowIfMismatch("model.safetensors"));
        Assert.Same(report, e.Report);
        Assert.StartsWith("model.safetensors: the state dict does not match the model.", e.Message);
        Assert.Contains("head.bias", e.Message);
    }
}
