using MimScale.Training.Finetuning;
using MimScale.Training.Pretraining;

namespace MimScale.Tests.Training;

/// <summary>
/// configs/paper/*.yaml load through the engines' own readers (an unknown key is an error) and carry the paper's numbers
/// (SPEC §0, §4.2, §5): batch 2048 however it is accumulated, the rates at that batch, resolutions, windows, schedules.
/// </summary>
public class PaperPresetsTests
{
    private static readonly string Dir = Fixtures.RepoFile(Path.Combine("configs", "paper"));
    private static readonly string[] Sizes = ["small", "base", "large", "huge", "giant"];

    [Fact]
    public void EveryPresetLoadsAndIsCovered()
    {
        var files = Directory.GetFiles(Dir, "*.yaml").Select(f => Path.GetFileName(f)).Order().ToList();
        var expected = Sizes.Select(s => $"pretrain-swinv2-{s}.yaml")
            .Concat(Sizes.Select(s => $"finetune-in1k-swinv2-{s}.yaml"))
            .Concat(new[] { "small", "base", "large" }.Select(s => $"finetune-inat18-swinv2-{s}.yaml")).Order().ToList();
        Assert.Equal(expected, files);
        foreach (var f in files)
        {
            if (f.StartsWith("pretrain", StringComparison.Ordinal)) PretrainConfigYaml.Load(Path.Combine(Dir, f));
            else FinetuneConfigYaml.Load(Path.Combine(Dir, f));
        }
    }

    [Fact]
    public void PretrainingPresetsAreThePapersRecipeForEverySize()
    {
        foreach (var size in Sizes)
        {
            var c = PretrainConfigYaml.Load(Path.Combine(Dir, $"pretrain-swinv2-{size}.yaml"));
            var m = c.ModelOptions();
            Assert.Equal($"swinv2-{size}", c.Model);
            Assert.Equal((192, 12, 32, 0.6, 47), (m.Encoder.ImgSize[0], m.Encoder.WindowSize, c.Masks().PatchSize, c.Masks().Ratio, m.NormTargetWindow));
            Assert.Equal(2048, c.TotalBatch);
            Assert.Equal(4e-4, c.ScaledLr, 12);            // official 1e-4 per 512 at batch 2048
            Assert.Equal(2e-6, c.ScaledWarmupLr, 15);
            Assert.Equal((500_000L, 0.875, 0.1, 0.05, 5.0), (c.Iterations, c.DecayFraction, c.DecayGamma, c.WeightDecay, c.ClipGrad));
            // A warm-up fixed in iterations that ends before the 125K run's branch point: the three lengths share one trunk.
            var trunk = new TrunkPlan([125_000, 250_000, 500_000], c.DecayFraction).Validate();
            Assert.True(c.WarmupIterations < trunk.BranchPoint(125_000));
            Assert.Equal(546_875, trunk.TotalIterations);
            Assert.Equal(size is "large" or "huge" or "giant", m.Encoder.UseCheckpoint);
        }
    }

    [Theory]
    [InlineData("small", 100, 20, 0.8, 0.1)]
    [InlineData("base", 100, 20, 0.75, 0.1)]
    [InlineData("large", 100, 20, 0.7, 0.2)]
    [InlineData("huge", 50, 10, 0.65, 0.2)]
    [InlineData("giant", 50, 10, 0.6, 0.2)]
    public void ImageNetFinetuningPresetsFollowThePaper(string size, int epochs, double warmup, double layerDecay, double dropPath)
    {
        var c = FinetuneConfigYaml.Load(Path.Combine(Dir, $"finetune-in1k-swinv2-{size}.yaml"));
        var m = c.ModelOptions(1000);
        Assert.Equal((224, 14), (m.ImgSize[0], m.WindowSize));
        Assert.Equal(2048, c.TotalBatch);
        Assert.Equal(5e-3, c.ScaledLr, 12);                // paper: 5e-3 at 2048
        Assert.Equal((epochs, warmup, layerDecay, dropPath, 0.05), (c.Epochs, c.WarmupEpochs, c.LayerDecay, c.DropPathRate, c.WeightDecay));
        Assert.True(c.RandAugment && c.UsesMixup && c.LabelSmoothing > 0 && c.RandomErasing > 0 && c.ClipGrad > 0);
    }

    [Theory]
    [InlineData("small", 0.8)]
    [InlineData("base", 0.75)]
    [InlineData("large", 0.7)]
    public void INaturalistPresetsFollowThePaper(string size, double layerDecay)
    {
        var c = FinetuneConfigYaml.Load(Path.Combine(Dir, $"finetune-inat18-swinv2-{size}.yaml"));
        Assert.Equal((224, 14), (c.ModelOptions(8142).ImgSize[0], c.ModelOptions(8142).WindowSize));
        Assert.Equal(2048, c.TotalBatch);
        Assert.Equal(1.6e-2, c.ScaledLr, 12);              // paper: 1.6e-2 at 2048
        Assert.Equal((100, 20.0, 0.1, layerDecay), (c.Epochs, c.WarmupEpochs, c.WeightDecay, c.LayerDecay));
        Assert.Null(c.NumClasses);                         // the 8,142 classes are read off the source
    }
}
