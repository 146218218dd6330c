using MimScale.Dense.Segmentation;

namespace MimScale.Tests.Dense.Segmentation;

/// <summary>The shipped scenes configs load and validate; the study's recipe is the pico config; bad keys and values are named.</summary>
public class SegmentationConfigTests
{
    static string Config(string name)
    {
        string tests = Path.GetDirectoryName(Fixtures.Dir("seg-png"))!;          // tests/fixtures -> repo/configs
        return Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(tests)!)!, "configs", name);
    }

    [Fact]
    public void TheScenesConfigsLoadAndThePicoOneIsTheStudyRecipe()
    {
        var pico = SegmentationConfigYaml.Load(Config("segment-scenes-pico.yaml"));
        var nano = SegmentationConfigYaml.Load(Config("segment-scenes-nano.yaml"), new[] { "pretrained=scratch", "threads=2" });
        Assert.Equal(("swinv2-nano", 128, 64, 2), (nano.Model, nano.Channels, nano.AuxChannels, nano.Threads));
        var recipe = SegmentationFinetune.ScenesRecipe;
        Assert.Equal(SegmentationConfigYaml.ToYaml(recipe with { Model = pico.Model, Pretrained = pico.Pretrained, DataRoot = pico.DataRoot }),
            SegmentationConfigYaml.ToYaml(pico));
        // 64 px, window 8 over patch 2: stage grids 32/16/8/4; the backbone keeps windows 8, 8, 8, 4.
        Assert.Equal(new[] { 64, 64 }, pico.BackboneOptions().ImgSize);
        Assert.Equal(new[] { 0, 0, 0, 0 }, pico.BackboneOptions().PretrainedWindowSizes);   // scratch
        Assert.Equal(new InferenceSettings(true, (256, 64), 64, 43), pico.Inference());
    }

    [Fact]
    public void UnknownKeysAndImpossibleValuesAreNamed()
    {
        var bad = Assert.Throws<InvalidDataException>(() => SegmentationConfigYaml.Parse("modle: swinv2-pico\n", "seg.yaml"));
        Assert.Contains("seg.yaml", bad.Message);
        Assert.Contains("modle", bad.Message);
        var mode = Assert.Throws<InvalidDataException>(() => SegmentationConfigYaml.Parse("test_mode: tiles\n", "seg.yaml"));
        Assert.Contains("test_mode", mode.Message);
        var warm = Assert.Throws<InvalidDataException>(() => SegmentationConfigYaml.Parse("iterations: 10\nwarmup_iterations: 10\n", "seg.yaml"));
        Assert.Contains("warmup_iterations", warm.Message);
    }
}
