using MimScale.Data.Subsets;
using MimScale.Training.Pretraining;
using MimScale.Training.Runs;
using Xunit;

namespace MimScale.Tests.Data.Subsets;

/// <summary>
/// <c>val_images: N</c> is a fixed class-balanced subset: N / C images per class, the same for every run of the source
/// whatever its seed, recorded with its manifest (the first N images of a class-sorted folder are a few classes only).
/// </summary>
public class StratifiedSubsetTests
{
    [Fact]
    public void QuotasAreEqualSharesCappedByClassSizeWithTheLeftoverInTheSeededOrder()
    {
        // 20 of sizes [5,1,10,10]: share 5 -> [5,1,5,5] (class 1 gives its only image), 4 left for the two open
        // classes -> share 2 -> [5,1,7,7].
        Assert.Equal(new[] { 5, 1, 7, 7 }, StratifiedSubset.Quotas([5, 1, 10, 10], 20, [3, 2, 1, 0]));
        // 7 of three classes of 10: 2 each, the leftover 1 goes to the first class of the order (2).
        Assert.Equal(new[] { 2, 2, 3 }, StratifiedSubset.Quotas([10, 10, 10], 7, [2, 0, 1]));
        Assert.Equal(new[] { 3, 2, 2 }, StratifiedSubset.Quotas([10, 10, 10], 7, [0, 1, 2]));
        // More than there is: everything.
        Assert.Equal(new[] { 5, 1 }, StratifiedSubset.Quotas([5, 1], 50, [0, 1]));
        Assert.Throws<ArgumentException>(() => StratifiedSubset.Quotas([5, 1], 3, [0, 0]));
    }

    [Fact]
    public void AValidationSubsetHasNOverCImagesPerClassAndIsTheSameOnEveryCall()
    {
        var source = new PatternSource(1000, 10);            // labels i % 10: sorted by id, the first 40 are 4 per class
        var m = StratifiedSubset.Draw(source, 50);
        Assert.Equal(50, m.Count);
        Assert.All(m.Entries.GroupBy(e => e.Label), g => Assert.Equal(5, g.Count()));
        Assert.Equal(10, m.Entries.Select(e => e.Label).Distinct().Count());
        Assert.Equal(m.Hash, StratifiedSubset.Draw(source, 50).Hash);
        Assert.NotEqual(m.Hash, StratifiedSubset.Draw(source, 50, seed: 1).Hash);     // the constant seed does choose the images
        Assert.Equal("stratified validation subset", m.Get("subset"));
        Assert.Equal("50", m.Get("images"));
        Assert.Equal("0", m.Get("seed"));
        // 0 means all images.
        Assert.Equal(1000, StratifiedSubset.Draw(source, 0).Count);
    }

    [Fact]
    public void OpenEvalTakesAStratifiedSubsetOfFashionMnistNotItsFirstImages()
    {
        var (val, manifest) = TrainingSources.OpenEval("fashion-mnist@test", 100);
        Assert.Equal(100, val.Count);
        Assert.NotNull(manifest);
        var perClass = Enumerable.Range(0, val.Count).GroupBy(val.GetLabel).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(10, perClass.Count);
        Assert.All(perClass.Values, n => Assert.Equal(10, n));
        // Pinned: a changed draw would silently move every run's validation set (and its val loss).
        Assert.StartsWith("7f5b39c1fd226d3537c25045ee33ad45ebd25352", manifest!.Hash);
        var (all, none) = TrainingSources.OpenEval("fashion-mnist@test", 0);
        Assert.Equal(10000, all.Count);
        Assert.Null(none);
        Assert.Throws<ArgumentException>(() => TrainingSources.OpenEval("fashion-mnist@test", -1));
    }

    [Fact]
    public void RunsWithOtherSeedsValidateOnTheSameImages()
    {
        var c = PretrainEngineTestsTiny();
        var a = PretrainData.Build(c with { Seed = 1, SubsetSeed = 1 }, c.ModelOptions());
        var b = PretrainData.Build(c with { Seed = 9, SubsetSeed = 4 }, c.ModelOptions());
        Assert.NotEqual(a.TrainManifest!.Hash, b.TrainManifest!.Hash);                    // other training images...
        Assert.Equal(a.ValManifest!.Hash, b.ValManifest!.Hash);                          // ...same validation images
        Assert.Equal(24, a.Val!.Count);
        // 24 over 10 classes: 2 each and one more for 4 classes.
        Assert.Equal(new[] { 2, 2, 2, 2, 2, 2, 3, 3, 3, 3 }, a.ValManifest.Entries.GroupBy(e => e.Label).Select(g => g.Count()).Order());
    }

    static PretrainConfig PretrainEngineTestsTiny() => MimScale.Tests.Training.Pretraining.PretrainEngineTests.Tiny;
}
