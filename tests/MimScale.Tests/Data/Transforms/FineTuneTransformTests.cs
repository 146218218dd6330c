using MimScale.Data.Loading;
using MimScale.Data.Random;
using MimScale.Data.Sources;
using MimScale.Data.Transforms;

namespace MimScale.Tests.Data.Transforms;

public class FineTuneTransformTests
{
    private static LoaderOptions Opts => new() { BatchSize = 4, Workers = 2, Seed = 5 };

    [Fact]
    public void Mixup_MixesPairsWithTheSameLambdaAsTheSoftTargets()
    {
        var src = new PatternSource(16, 4);
        var t = new FineTuneTransform(new FineTuneTransformConfig { ImageSize = 16, RandAugment = false, RandomErasingProbability = 0 });
        using var plain = new FineTuneLoader(src, t, Opts);
        using var mixed = new FineTuneLoader(src, t, Opts, new MixupConfig { CutmixAlpha = 0 });
        int checkedPairs = 0;
        for (int b = 0; b < 4; b++)
        {
            using var p = plain.Next()!;
            using var m = mixed.Next()!;
            Assert.Null(p.Targets);
            Assert.Equal(p.Indices, m.Indices);
            var targets = m.Targets!.data<float>().ToArray();
            var labels = m.Labels.data<long>().ToArray();
            const double off = 0.1 / 4, on = 0.9 + off;
            // Rows sum to 1 and hold exactly the two labels above the smoothing floor.
            for (int i = 0; i < 4; i++) Assert.Equal(1.0, targets.Skip(i * 4).Take(4).Sum(), 5);
            var pi = p.Images.data<float>().ToArray();
            var mi = m.Images.data<float>().ToArray();
            int per = 3 * 16 * 16;
            // Sample i is mixed with sample 3 - i; λ can be read from the targets only where the two labels differ.
            for (int a = 0; a < 4; a++)
            {
                int z = 3 - a;
                if (labels[a] == labels[z]) continue;
                double lam = (targets[a * 4 + (int)labels[a]] - off) / (on - off);
                for (int k = 0; k < per; k += 37)
                    Assert.Equal(lam * pi[a * per + k] + (1 - lam) * pi[z * per + k], mi[a * per + k], 4);
                checkedPairs++;
            }
        }
        Assert.Equal(CheckedMixupPairs, checkedPairs);
    }

    // Samples whose partner has another label in the 4 batches above (seed 5): pinned so that a change of draws that
    // leaves nothing to check fails instead of passing.
    const int CheckedMixupPairs = 14;

    [Fact]
    public void CutMix_PastesTheFlippedPartnersBox_AndCorrectsLambdaToTheArea()
    {
        var src = new PatternSource(8, 2);
        var t = new FineTuneTransform(new FineTuneTransformConfig { ImageSize = 20, RandAugment = false, RandomErasingProbability = 0 });
        using var plain = new FineTuneLoader(src, t, Opts);
        using var mixed = new FineTuneLoader(src, t, Opts, new MixupConfig { MixupAlpha = 0, LabelSmoothing = 0 });
        int per = 3 * 400, lambdasChecked = 0;
        var replacedPerBatch = new List<int>();
        for (int batch = 0; batch < 2; batch++)
        {
            using var p = plain.Next()!;
            using var m = mixed.Next()!;
            var pi = p.Images.data<float>().ToArray();
            var mi = m.Images.data<float>().ToArray();
            var targets = m.Targets!.data<float>().ToArray();
            var labels = m.Labels.data<long>().ToArray();
            int replaced = 0;
            for (int i = 0; i < 4; i++)
            {
                int j = 3 - i;
                for (int k = 0; k < per; k++)
                {
                    if (mi[i * per + k] == pi[i * per + k]) continue;
                    Assert.Equal(pi[j * per + k], mi[i * per + k]); // sample i takes from sample 3 - i
                    if (i == 0) replaced++;
                }
            }
            replacedPerBatch.Add(replaced);
            // Sample 0's target holds λ (the kept area) on its own label when its partner's label differs.
            if (labels[0] != labels[3])
            {
                Assert.Equal(1 - targets[(int)labels[0]], replaced / (double)per, 2);
                lambdasChecked++;
            }
        }
        Assert.Equal(CutMixReplaced, replacedPerBatch);
        Assert.True(lambdasChecked > 0, "no batch paired two different labels: λ was never checked");
    }

    // Pixel values of sample 0 taken from its partner in the two batches (seed 5): a box was pasted, so the check
    // above ran on real pixels.
    static readonly int[] CutMixReplaced = [108, 420];

    [Fact]
    public void RandomErasing_FillsOneRegionWithStandardNormals()
    {
        var chw = new float[3 * 50 * 50];
        var erasing = new RandomErasing(probability: 1.0);
        var rng = new DataRng(8);
        var box = erasing.Apply(ref rng, chw, 50, 50)!.Value;
        int nonzero = chw.Count(v => v != 0);
        Assert.Equal(3 * box.Width * box.Height, nonzero);
        double area = box.Width * box.Height / 2500.0;
        Assert.InRange(area, 0.015, 0.34);
        var values = chw.Where(v => v != 0).ToArray();
        Assert.InRange(values.Average(), -0.2, 0.2);
        Assert.Null(new RandomErasing(0).Apply(ref rng, chw, 50, 50));
    }

    [Fact]
    public void RandAugmentOps_FollowPilArithmetic()
    {
        var rng = new DataRng(0);
        byte[] Px() => [10, 100, 200, 30, 60, 90, 0, 255, 128, 250, 5, 77];
        var img = Px();
        RandAugment.ApplyOp(2, 9, ref rng, img, 2, 2); // Invert
        Assert.Equal(Px().Select(v => (byte)(255 - v)), img);
        img = Px();
        RandAugment.ApplyOp(4, 10, ref rng, img, 2, 2); // PosterizeIncreasing at 10: 0 bits kept
        Assert.All(img, v => Assert.Equal(0, v));
        img = Px();
        RandAugment.ApplyOp(4, 5, ref rng, img, 2, 2); // 4 - int(0.5*4) = 2 bits: v & 0xC0
        Assert.Equal(Px().Select(v => (byte)(v & 0xC0)), img);
        img = Px();
        RandAugment.ApplyOp(5, 5, ref rng, img, 2, 2); // SolarizeIncreasing: threshold 256 - 128 = 128
        Assert.Equal(Px().Select(v => (byte)(v >= 128 ? 255 - v : v)), img);
        img = Px();
        RandAugment.ApplyOp(6, 10, ref rng, img, 2, 2); // SolarizeAdd: +110 below 128
        Assert.Equal(Px().Select(v => (byte)(v < 128 ? Math.Min(255, v + 110) : v)), img);
        img = Px();
        RandAugment.ApplyOp(0, 0, ref rng, img, 2, 2); // AutoContrast: R channel 0..250 -> 0..255
        Assert.Equal(new byte[] { 10, 30, 0, 250 }.Select(v => (byte)(int)(v * 255.0 / 250)), new[] { img[0], img[3], img[6], img[9] });
        img = Px();
        RandAugment.ApplyOp(13, 0, ref rng, img, 2, 2); // TranslateXRel at magnitude 0: identity
        Assert.Equal(Px(), img);
    }

    [Fact]
    public void FineTuneTransform_IsDeterministic_AndEvalIsCentreCrop224()
    {
        var r = new DataRng(4);
        using var img = DecodedImage.Wrap(SyntheticImageFolder.Render(ref r, 300, 260), 300, 260, 4);
        var t = new FineTuneTransform(new FineTuneTransformConfig { ImageSize = 64, RandomErasingProbability = 1.0 });
        var a = new float[3 * 64 * 64];
        var b = new float[3 * 64 * 64];
        t.Apply(img, new SampleContext(1, 2, 3, 0), a, []);
        t.Apply(img, new SampleContext(1, 2, 3, 0), b, []);
        Assert.Equal(a, b);
        t.Apply(img, new SampleContext(1, 2, 4, 0), b, []);
        Assert.NotEqual(a, b);

        var eval = new ValidationTransform(CentreCropConfig.FineTuneEval);
        Assert.Equal((224, 256, Interpolation.Bicubic, 0), (eval.ImageSize, eval.Config.ResizeSize, eval.Config.Interpolation, eval.MaskLength));
        using var loader = new FineTuneLoader(new PatternSource(5, 2), eval, LoaderOptions.Evaluation(2));
        Assert.Equal(new[] { 2, 2, 1 }, loader.ReadToEnd().Select(x => { using (x) return (int)x.Images.shape[0]; }));
    }
}
