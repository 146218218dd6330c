using MimScale.Data.Transforms;
using MimScale.Training.Runs;
using Xunit;

namespace MimScale.Tests.Training.Runs;

public class TrainingSourcesTests
{
    [Fact]
    public void AFractionIsClassBalancedAndNamedByItsManifest()
    {
        var (train, full, manifest) = TrainingSources.OpenTrain("fashion-mnist@train", null, 0.01, 0);
        Assert.Equal(60000, full.Count);
        Assert.Equal(600, train.Count);                 // 1% of 60,000, 60 per class
        Assert.NotNull(manifest);
        Assert.Equal(600, manifest!.Count);
        var perClass = Enumerable.Range(0, train.Count).GroupBy(i => train.GetLabel(i)).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(10, perClass.Count);
        Assert.All(perClass.Values, n => Assert.Equal(60, n));

        var (whole, _, none) = TrainingSources.OpenTrain("fashion-mnist@train", null, 1.0, 0);
        Assert.Equal(60000, whole.Count);
        Assert.Null(none);
    }

    [Fact]
    public void NormalisationIsExplicitElseFashionMnistElseImageNet()
    {
        Assert.Equal(new Normalization(0.2860, 0.2860, 0.2860, 0.3530, 0.3530, 0.3530), TrainingSources.NormalizationFor("fashion-mnist@train", null, null));
        Assert.Equal(Normalization.ImageNet, TrainingSources.NormalizationFor("folder:/data@train", null, null));
        Assert.Equal(new Normalization(0.1, 0.2, 0.3, 0.4, 0.5, 0.6),
            TrainingSources.NormalizationFor("fashion-mnist", new[] { 0.1, 0.2, 0.3 }, new[] { 0.4, 0.5, 0.6 }));
    }
}
