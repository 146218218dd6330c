using MimScale.Dense.Detection.Training;
using MimScale.Dense.Segmentation;
using MimScale.Study.Execution;
using MimScale.Study.Planning;
using MimScale.Study.Spec;

namespace MimScale.Tests.Study.Execution;

/// <summary>
/// The dense evaluations' engine configs: the scenes recipe as base, the cell's model / seed / encoder, the spec's map on
/// top; bad maps fail `study plan` naming the spec and the key; a missing scenes folder names itself and its command.
/// </summary>
public class DenseRecipesTests
{
    static RecipeMap Map(string origin, params (string Key, string Value)[] entries) =>
        new(entries.Select(e => KeyValuePair.Create(e.Key, RecipeValue.Scalar(e.Value))), origin);

    [Fact]
    public void SegmentationIsTheScenesRecipeWithTheCellsModelSeedAndEncoderAndTheMapOnTop()
    {
        var c = DenseRecipes.Segmentation("swinv2-pico", 3, "/runs/cell/model.safetensors",
            Map("t.yaml: segmentation", ("data_root", "/data/scenes-64"), ("iterations", "6"), ("batch_size", "2")));
        Assert.Equal(("swinv2-pico", 3UL, "/runs/cell/model.safetensors", "/data/scenes-64"), (c.Model, c.Seed, c.Pretrained, c.DataRoot));
        Assert.Equal((6L, 2), (c.Iterations, c.BatchSize));
        Assert.Equal(5, c.WarmupIterations);                    // the recipe's 30, cut to iterations - 1 for a 6-iteration budget
        // Everything else is configs/segment-scenes-pico.yaml's.
        var b = SegmentationFinetune.ScenesRecipe;
        Assert.Equal((b.Channels, b.AuxChannels, b.NumClasses, b.ImgSize, b.WindowSize, b.TestStride, b.Lr), (c.Channels, c.AuxChannels, c.NumClasses, c.ImgSize, c.WindowSize, c.TestStride, c.Lr));
        Assert.Equal((64, 32, 11, 64, 43), (c.Channels, c.AuxChannels, c.NumClasses, c.ImgSize, c.TestStride));

        var longer = DenseRecipes.Segmentation("swinv2-nano", 0, null,
            Map("t.yaml: segmentation", ("data_root", "d"), ("iterations", "100"), ("lr", "1e-3")));
        Assert.Equal((30L, 1e-3, "swinv2-nano", true), (longer.WarmupIterations, longer.Lr, longer.Model, longer.IsScratch));
    }

    [Fact]
    public void DetectionBaseIsConfigsDetectScenesPico()
    {
        // The base record and the config file cannot drift apart: the same YAML once data_root and pretrained are aligned.
        var file = DetectionConfigYaml.Load(Fixtures.RepoFile("configs/detect-scenes-pico.yaml"), ["data_root=d"]);
        Assert.Equal(DetectionConfigYaml.ToYaml(file with { DataRoot = null, Pretrained = null }), DetectionConfigYaml.ToYaml(DenseRecipes.DetectionScenes));

        var c = DenseRecipes.Detection("swinv2-nano", 2, "/enc.safetensors",
            Map("t.yaml: detection", ("data_root", "/s"), ("epochs", "1"), ("batch_size", "2")));
        Assert.Equal(("swinv2-nano", 2UL, "/enc.safetensors", 1, 2, 64, 64), (c.Model, c.Seed, c.Pretrained, c.Epochs, c.BatchSize, c.Size, c.FpnChannels));
        Assert.Equal(("/s/annotations/instances_training.json", "/s/images/validation"), (c.DataPaths().TrainAnn, c.DataPaths().ValImg));
    }

    [Theory]
    [InlineData("segmentation", "data_root", "d", "iteratons", "5", "unknown key 'iteratons'")]
    [InlineData("segmentation", "data_root", "d", "seed", "5", "'seed' is set by the study")]
    [InlineData("segmentation", "data_root", "d", "batch_size", "0", "batch_size and accumulation must be positive")]
    [InlineData("detection", "data_root", "d", "model", "swinv2-nano", "'model' is set by the study")]
    [InlineData("detection", "data_root", "d", "epochs", "two", "epochs: expected an integer")]
    [InlineData("detection", "epochs", "2", "batch_size", "4", "'data_root' is required: the scenes folder to train and test on, e.g. written by `mimscale data scenes --out data/scenes-64")]
    public void ABadDenseMapFailsThePlanNamingTheSpecAndTheKey(string evaluation, string k1, string v1, string k2, string v2, string message)
    {
        string spec = $$"""
            name: t
            models: [swinv2-pico]
            data: {source: "fashion-mnist:/x@train", val_source: "fashion-mnist:/x@test"}
            lengths: [16]
            evaluations: [{{evaluation}}]
            pretrain: {batch_size: 8}
            {{evaluation}}: {{{k1}}: {{v1}}, {{k2}}: {{v2}}}
            """;
        var e = Assert.Throws<StudySpecException>(() => StudyPlanner.Plan(StudySpecReader.Parse(spec, "t.yaml")));
        Assert.Equal("t.yaml: " + evaluation, e.File);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void AMissingScenesFolderNamesThePathAndTheCommandThatWritesIt()
    {
        string root = Path.Combine(Path.GetTempPath(), "mimscale-no-scenes-" + Guid.NewGuid().ToString("N"));
        var e = Assert.Throws<InvalidDataException>(() => DenseRecipes.RequireScenes("segmentation", root, Path.Combine(root, "images", "training")));
        Assert.Equal($"segmentation: {root}/images/training does not exist (data_root '{root}'); write the scenes with " +
                     $"`mimscale data scenes --out {root} --images 500 --size 64 --split-val 100`", e.Message);
        DenseRecipes.RequireScenes("segmentation", Path.GetTempPath(), Path.GetTempPath()); // present: no error
    }
}
