using MimScale.Data.Loading;
using MimScale.Data.Transforms;

namespace MimScale.Tests.Data.Transforms;

/// <summary>
/// Which of Mixup / CutMix / nothing a batch gets (the mixing probability, the switch probability, an alpha of 0 turning
/// one off) and the targets each writes, on hand-made batches whose images are constants, so the kind of mixing can be
/// read from the pixels: Mixup makes every pixel λa + (1-λ)b, CutMix leaves pixels a or b, nothing leaves them a.
/// </summary>
public class MixupCutmixTests
{
    const int N = 4, Size = 16, Classes = 4;

    // None = the batch is unchanged: not mixed, or a CutMix whose box came out empty (a cut side of 0 or 1 pixel
    // gives yl == yh, as in timm's rand_bbox), which also returns λ = 1.
    enum Kind { None, Mixup, CutMix }

    /// <summary>Sample i is the constant i + 1 with label i; batch <paramref name="index"/> of epoch 0.</summary>
    static HostBatch Batch(int index)
    {
        var batch = new HostBatch(N, Size, 0, new LoaderPosition(0, index));
        for (int i = 0; i < N; i++)
        {
            batch.Image(i).Fill(i + 1);
            batch.Labels[i] = i;
        }
        return batch;
    }

    /// <summary>Mixes batch <paramref name="index"/>, checks pixels and targets against the returned λ, and says which kind ran.</summary>
    static Kind Mix(MixupConfig config, int index)
    {
        using var batch = Batch(index);
        double lam = new MixupCutmix(config, Classes, seed: 11).Apply(batch);
        double off = config.LabelSmoothing / Classes, on = 1 - config.LabelSmoothing + off;
        for (int i = 0; i < N; i++)
        {
            int j = N - 1 - i;
            var row = batch.Targets!.AsSpan(i * Classes, Classes).ToArray();
            Assert.Equal(off + lam * (on - off), row[i], 1e-6);
            Assert.Equal(off + (1 - lam) * (on - off), row[j], 1e-6);
            Assert.Equal(1.0, row.Sum(), 1e-6);
        }
        var first = batch.Image(0).ToArray();   // partner is sample 3 (value 4)
        if (first.All(v => v == 1f)) { Assert.Equal(1.0, lam); return Kind.None; }
        if (first.All(v => v == 1f || v == 4f))
        {
            // CutMix: λ is the kept area, the same box in every sample.
            Assert.Equal(lam, first.Count(v => v == 1f) / (double)first.Length, 12);
            for (int i = 1; i < N; i++)
                Assert.Equal(first.Select(v => v == 1f), batch.Image(i).ToArray().Select(v => v == i + 1f));
            return Kind.CutMix;
        }
        float mixed = (float)lam * 1f + (float)(1 - lam) * 4f;
        Assert.All(first, v => Assert.Equal(mixed, v, 1e-6f));
        return Kind.Mixup;
    }

    static int[] Count(MixupConfig config, int batches = 400)
    {
        var counts = new int[3];
        for (int b = 0; b < batches; b++) counts[(int)Mix(config, b)]++;
        return counts;
    }

    [Fact]
    public void BothOnSwitchesToCutMixHalfTheTime()
    {
        var counts = Count(new MixupConfig());   // prob 1, switch 0.5 (SPEC §5.1)
        Assert.Equal(SwitchCounts, counts);
        Assert.InRange(counts[(int)Kind.CutMix] + counts[(int)Kind.None], 170, 230);   // Binomial(400, 0.5): ±3 sd
    }

    // None / Mixup / CutMix counts of the 400 batches above (seed 11), pinned; the 4 "None" are empty CutMix boxes.
    static readonly int[] SwitchCounts = [4, 215, 181];

    [Fact]
    public void TheSwitchProbabilityAndAZeroAlphaChooseTheKind()
    {
        Assert.Equal([1, 0, 49], Count(new MixupConfig { SwitchProbability = 1 }, 50));  // one box came out empty
        Assert.Equal([0, 50, 0], Count(new MixupConfig { SwitchProbability = 0 }, 50));
        Assert.Equal([0, 0, 50], Count(new MixupConfig { MixupAlpha = 0 }, 50));       // only CutMix is on
        Assert.Equal([0, 50, 0], Count(new MixupConfig { CutmixAlpha = 0 }, 50));       // only Mixup is on
        Assert.Equal([50, 0, 0], Count(new MixupConfig { MixupAlpha = 0, CutmixAlpha = 0 }, 50));
        Assert.Equal([50, 0, 0], Count(new MixupConfig { Probability = 0 }, 50));
    }

    [Fact]
    public void TheMixingProbabilityLeavesTheRestUnmixedWithSmoothedOneHotTargets()
    {
        var counts = Count(new MixupConfig { Probability = 0.25 });
        Assert.Equal(PartialCounts, counts);
        Assert.InRange(counts[(int)Kind.None], 274, 330);   // Binomial(400, 0.75) ±3 sd, plus a few empty boxes
    }

    // None / Mixup / CutMix counts with probability 0.25 (seed 11), pinned.
    static readonly int[] PartialCounts = [288, 72, 40];

    [Fact]
    public void AnOddBatchOrALabelOutsideTheClassesIsRefused()
    {
        using var odd = new HostBatch(3, Size, 0, LoaderPosition.Start);
        Assert.Contains("even batch size, got 3", Assert.Throws<ArgumentException>(() => new MixupCutmix(new MixupConfig(), Classes, 0).Apply(odd)).Message);
        using var batch = Batch(0);
        batch.Labels[2] = Classes;
        Assert.Contains("label outside 0..3", Assert.Throws<ArgumentException>(() => new MixupCutmix(new MixupConfig(), Classes, 0).Apply(batch)).Message);
    }
}
