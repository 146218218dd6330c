using MimScale.Data.Errors;
using MimScale.Data.Loading;
using MimScale.Data.Transforms;
using TorchSharp;

namespace MimScale.Tests.Data.Loading;

public class LoaderTests
{
    private static readonly SimMimTransformConfig Small = new() { ImageSize = 32, Masks = new(patchSize: 8), ModelPatchSize = 4 };

    private static LoaderOptions Options(int workers = 2, int rank = 0, int world = 1) =>
        new() { BatchSize = 5, Workers = workers, Prefetch = 3, Seed = 7, Rank = rank, WorldSize = world };

    private sealed record Snapshot(LoaderPosition Position, float[] Images, long[] Masks, long[] Labels, int[] Indices);

    private static Snapshot Take(SimMimBatch b)
    {
        using (b)
            return new Snapshot(b.Position, b.Images.data<float>().ToArray(), b.Masks.data<long>().ToArray(),
                b.Labels.data<long>().ToArray(), b.Indices.ToArray());
    }

    private static void AssertSame(Snapshot a, Snapshot b)
    {
        Assert.Equal(a.Position, b.Position);
        Assert.Equal(a.Indices, b.Indices);
        Assert.Equal(a.Labels, b.Labels);
        Assert.Equal(a.Masks, b.Masks);
        Assert.Equal(a.Images, b.Images); // bit for bit
    }

    [Fact]
    public void Batches_HaveTheDocumentedShapesAndTypes()
    {
        using var loader = new SimMimLoader(new PatternSource(23, 3), new SimMimTransform(Small), Options());
        Assert.Equal(4, loader.BatchesPerEpoch); // 23 / 5, drop-last
        using var b = loader.Next()!;
        Assert.Equal(new long[] { 5, 3, 32, 32 }, b.Images.shape);
        Assert.Equal(torch.ScalarType.Float32, b.Images.dtype);
        Assert.Equal(new long[] { 5, 8, 8 }, b.Masks.shape);
        Assert.Equal(torch.ScalarType.Int64, b.Masks.dtype);
        Assert.Equal(new long[] { 5 }, b.Labels.shape);
        Assert.Equal(torch.ScalarType.Int64, b.Labels.dtype);
        // ceil(16 * 0.6) = 10 mask patches of 2x2 tokens per sample.
        Assert.All(b.Masks.sum([1, 2]).data<long>().ToArray(), s => Assert.Equal(40, s));
        Assert.Equal(b.Indices.Select(i => (long)(i % 3)), b.Labels.data<long>().ToArray());
    }

    [Fact]
    public void ResumedStream_EqualsTheUninterruptedStream_BitForBit()
    {
        var source = new PatternSource(23, 3);
        var t = new SimMimTransform(Small);
        var full = new List<Snapshot>();
        using (var loader = new SimMimLoader(source, t, Options()))
            for (int i = 0; i < 11; i++) full.Add(Take(loader.Next()!)); // crosses two epoch boundaries (4 per epoch)
        Assert.Equal(new LoaderPosition(2, 2), full[^1].Position);

        // Interrupt after 6 batches, save the position as JSON, resume in a new loader with another worker count.
        string saved;
        using (var first = new SimMimLoader(source, t, Options(workers: 3)))
        {
            for (int i = 0; i < 6; i++) AssertSame(full[i], Take(first.Next()!));
            saved = first.Position.ToJson();
        }
        Assert.Equal("{\"epoch\":1,\"batch\":2}", saved);
        using var resumed = new SimMimLoader(source, t, Options(workers: 1), LoaderPosition.FromJson(saved));
        for (int i = 6; i < 11; i++) AssertSame(full[i], Take(resumed.Next()!));
    }

    [Fact]
    public void Epochs_AreDifferentPermutations()
    {
        var source = new PatternSource(20, 4);
        using var loader = new SimMimLoader(source, new SimMimTransform(Small), Options() with { BatchSize = 4 });
        var epochs = new List<int[]>();
        for (int e = 0; e < 3; e++)
            epochs.Add(Enumerable.Range(0, 5).SelectMany(_ => Take(loader.Next()!).Indices).ToArray());
        foreach (var order in epochs) Assert.Equal(Enumerable.Range(0, 20), order.Order());
        Assert.NotEqual(epochs[0], epochs[1]);
        Assert.NotEqual(epochs[1], epochs[2]);
    }

    [Fact]
    public void Shards_AreDisjointEqualAndAPureFunctionOfSeedEpochRankWorld()
    {
        const int n = 43, world = 3;
        var plans = Enumerable.Range(0, world).Select(r => new EpochPlan(n, 4, Options(rank: r, world: world))).ToArray();
        Assert.All(plans, p => Assert.Equal(14, p.Indices.Length)); // floor(43 / 3)
        Assert.All(plans, p => Assert.Equal(2, p.BatchCount));      // 14 / 5
        var all = plans.SelectMany(p => p.Indices).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
        // Rank r holds positions r, r+3, ... of the epoch's global order; a second computation agrees.
        Assert.Equal(plans[1].Indices, new EpochPlan(n, 4, Options(rank: 1, world: world)).Indices);
        Assert.Equal(Enumerable.Range(0, 14).Select(k => (long)(2 + 3 * k)), plans[2].Positions);
        var global = new EpochPlan(n, 4, Options());
        Assert.Equal(Enumerable.Range(0, 14).Select(k => global.Indices[1 + 3 * k]), plans[1].Indices);
        // The same sample gets the same augmentation whichever rank serves it (key = global position).
        var t = new SimMimTransform(Small);
        using var r1 = new SimMimLoader(new PatternSource(n, 3), t, Options(rank: 1, world: world) with { BatchSize = 1 });
        using var single = new SimMimLoader(new PatternSource(n, 3), t, Options() with { BatchSize = 1 });
        var fromRank = Take(r1.Next()!);      // global position 1
        single.Next()!.Dispose();             // position 0
        var fromSingle = Take(single.Next()!); // position 1
        Assert.Equal(fromSingle.Images, fromRank.Images);
        Assert.Equal(fromSingle.Masks, fromRank.Masks);
    }

    [Fact]
    public void EvaluationStream_IsOrderedKeepsTheLastBatchAndUsesFixedMasks()
    {
        var v = ValidationTransform.ForSimMim(Small, maskSeed: 3);
        using var loader = new SimMimLoader(new PatternSource(12, 3), v, LoaderOptions.Evaluation(batchSize: 5));
        var batches = loader.ReadToEnd().Select(Take).ToList();
        Assert.Equal(new[] { 5, 5, 2 }, batches.Select(b => b.Indices.Length));
        Assert.Equal(Enumerable.Range(0, 12), batches.SelectMany(b => b.Indices));
        var expected = new long[64];
        v.FixedMask(11, expected);
        Assert.Equal(expected, batches[2].Masks.AsSpan(64, 64).ToArray());
        Assert.Null(loader.Next());
    }

    [Fact]
    public void BadImages_AreSkippedDeterministically_OrThrowUnderTheThrowPolicy()
    {
        var source = new PatternSource(20, 2, bad: [3, 4, 11]);
        var t = new SimMimTransform(Small);
        var opts = Options() with { BatchSize = 4, Shuffle = false, Epochs = 1 }; // one finite pass: counts are exact
        using (var loader = new SimMimLoader(source, t, opts))
        {
            var all = loader.ReadToEnd().Select(Take).ToList();
            Assert.Equal(5, all.Count);
            var (b0, b1, b2) = (all[0], all[1], all[2]);
            Assert.Equal(new[] { 0, 1, 2, 5 }, b0.Indices); // 3 is bad: next good is 5 (4 is bad too)
            Assert.Equal(new[] { 5, 5, 6, 7 }, b1.Indices);
            Assert.Equal(new[] { 8, 9, 10, 12 }, b2.Indices);
            Assert.Equal(new long[] { 0, 1, 0, 1 }, b0.Labels);
            Assert.Equal(3, loader.BadImages.Count);
            Assert.Equal(3, loader.BadImages.Substitutions); // samples at positions 3, 4 and 11
            Assert.Equal(["p/00003", "p/00004", "p/00011"], loader.BadImages.Images.Select(b => b.Id));
            Assert.Contains("3 skipped", loader.BadImages.ToString());
        }
        using var strict = new SimMimLoader(source, t, opts with { BadImages = BadImagePolicy.Throw });
        var e = Assert.Throws<ImageDecodeException>(() => strict.Next());
        Assert.Contains("p/00003", e.Message);
    }

    [FashionMnistFact]
    public void FashionMnistSubset_FlowsFromManifestToBatches()
    {
        var test = MimScale.Data.Sources.FashionMnist.Open(MimScale.Data.Sources.FashionMnist.DebianPath, MimScale.Data.Sources.FashionMnistSplit.Test);
        var manifest = MimScale.Data.Subsets.SubsetSampler.ClassBalancedFractions(test, [0.01], seed: 0)[0];
        Assert.Equal(100, manifest.Count); // 10 per class
        var subset = MimScale.Data.Sources.SubsetSource.FromManifest(test, manifest);
        var cfg = new SimMimTransformConfig { ImageSize = 32, Masks = new(patchSize: 8), ModelPatchSize = 4, Normalization = new(0.5, 0.5, 0.5, 0.5, 0.5, 0.5) };
        using var loader = new SimMimLoader(subset, new SimMimTransform(cfg), new LoaderOptions { BatchSize = 25, Seed = 1, Epochs = 1 });
        var seen = new List<int>();
        foreach (var batch in loader.ReadToEnd())
            using (batch)
            {
                Assert.Equal(new long[] { 25, 3, 32, 32 }, batch.Images.shape);
                var x = batch.Images.data<float>().ToArray();
                Assert.Equal(x.AsSpan(0, 1024).ToArray(), x.AsSpan(1024, 1024).ToArray()); // grayscale replicated
                Assert.Equal(batch.Indices.Select(i => (long)subset.GetLabel(i)), batch.Labels.data<long>().ToArray());
                seen.AddRange(batch.Indices);
            }
        Assert.Equal(Enumerable.Range(0, 100), seen.Order());
    }

    [Fact]
    public void TooSmallSourcesAndBadPositionsAreRejected()
    {
        var t = new SimMimTransform(Small);
        Assert.Contains("no full batch", Assert.Throws<DataSourceException>(
            () => new SimMimLoader(new PatternSource(1, 2), t, Options(rank: 0, world: 2))).Message);
        Assert.Throws<ArgumentException>(() => new SimMimLoader(new PatternSource(23, 2), t, Options(), new LoaderPosition(0, 4)));
        Assert.Throws<ArgumentException>(() => new SimMimLoader(new PatternSource(23, 2), t, Options(rank: 2, world: 2)));
    }

    [Fact]
    public void ASubsetSmallerThanABatch_RunsOnIntoTheNextPass()
    {
        // 4 images at batch 5: each epoch covers ceil(5/4) = 2 passes (8 samples), one full batch, 3 dropped.
        var plan = new EpochPlan(4, 3, Options());
        Assert.Equal(2, plan.Passes);
        Assert.Equal(1, plan.BatchCount);
        Assert.Equal(new long[] { 0, 1, 2, 3, 4, 5, 6, 7 }, plan.Positions); // pass 1 offset by the count
        Assert.Equal(Enumerable.Range(0, 4), plan.Indices.Take(4).Order());   // each pass is a permutation
        Assert.Equal(Enumerable.Range(0, 4), plan.Indices.Skip(4).Order());
        Assert.Equal(plan.Indices, new EpochPlan(4, 3, Options()).Indices);  // a pure function of (seed, epoch)
        // Pass 0 is the ordinary order of the epoch; a source of a full batch or more keeps one pass.
        var ordinary = new EpochPlan(4, 3, Options() with { BatchSize = 4 });
        Assert.Equal(1, ordinary.Passes);
        Assert.Equal(ordinary.Indices, plan.Indices.Take(4));
        using var loader = new SimMimLoader(new PatternSource(4, 2), new SimMimTransform(Small), Options());
        var first = Take(loader.Next()!);
        Assert.Equal(new EpochPlan(4, 0, Options()).Indices.Take(5).ToArray(), first.Indices);
        Assert.Equal(new LoaderPosition(0, 0), first.Position);
        Assert.Equal(new LoaderPosition(1, 0), Take(loader.Next()!).Position);
    }
}
