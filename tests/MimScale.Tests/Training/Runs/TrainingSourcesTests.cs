using MimScale.Data.Transforms;
using MimScale.Training.Runs;
using Xunit;

namespace MimScale.Tests.Training.Runs;

public class TrainingSourcesTests
{
    [FashionMnistFact]
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
    public void ARunFolderKeepsTheValidationImagesItStartedWith()
    {
        var dir = Directory.CreateTempSubdirectory("mimscale-val-").FullName;
        try
        {
            var source = new MimScale.Tests.Data.PatternSource(100, 4);
            var m20 = MimScale.Data.Subsets.StratifiedSubset.Draw(source, 20);
            TrainingSources.RecordValidation(dir, m20);
            var file = Path.Combine(dir, TrainingSources.ValManifestFile);
            Assert.Equal(m20.Hash, MimScale.Data.Subsets.Manifest.Load(file).Hash);
            Assert.Contains("# subset: stratified validation subset\n", File.ReadAllText(file));
            Assert.Contains("# images: 20\n", File.ReadAllText(file));
            TrainingSources.RecordValidation(dir, m20);                     // a resume with the same images is fine
            var other = Assert.Throws<InvalidDataException>(() => TrainingSources.RecordValidation(dir, MimScale.Data.Subsets.StratifiedSubset.Draw(source, 40)));
            Assert.Contains(file, other.Message);
            Assert.Throws<InvalidDataException>(() => TrainingSources.RecordValidation(dir, null));

            // A run that trained before the subset was recorded validated on its first N images: not continued.
            var old = Directory.CreateDirectory(Path.Combine(dir, "old")).FullName;
            File.WriteAllText(Path.Combine(old, "metrics.jsonl"), "{}\n");
            Assert.Contains("started before val_images meant a class-balanced subset", Assert.Throws<InvalidDataException>(() => TrainingSources.RecordValidation(old, m20)).Message);
            TrainingSources.RecordValidation(old, null);                    // all images: nothing to record
        }
        finally { Directory.Delete(dir, recursive: true); }
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
