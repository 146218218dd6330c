using MimScale.Data.Masking;
using MimScale.Data.Random;

namespace MimScale.Tests.Data.Masking;

public class MaskGeneratorTests
{
    [Fact]
    public void PaperSetting_192_32_4_06_Masks22Of36_On48x48()
    {
        var g = new MaskGenerator(192, 4, new MaskSettings(0.6, 32));
        Assert.Equal((6, 36, 22, 8, 48), (g.RandSize, g.TokenCount, g.MaskCount, g.Scale, g.OutputSize));
        for (int sample = 0; sample < 20; sample++)
        {
            var rng = DataRng.For(0, RandomStream.Mask, 0, sample);
            var mask = g.Generate(ref rng);
            Assert.Equal(48, mask.GetLength(0));
            Assert.Equal(48, mask.GetLength(1));
            long ones = 0;
            foreach (var v in mask) { Assert.True(v is 0 or 1); ones += v; }
            Assert.Equal(22 * 64, ones); // 22 mask patches of 8x8 tokens
            // Every 8x8 block is constant.
            for (int y = 0; y < 48; y++)
                for (int x = 0; x < 48; x++)
                    Assert.Equal(mask[y / 8 * 8, x / 8 * 8], mask[y, x]);
        }
    }

    [Fact]
    public void FixtureSetting_64_16_4_06_Masks10Of16()
    {
        var g = new MaskGenerator(64, 4, new MaskSettings(0.6, 16));
        Assert.Equal((16, 10, 16), (g.TokenCount, g.MaskCount, g.OutputSize));
    }

    [Fact]
    public void EveryPatchIsMaskedWithTheSameFrequency()
    {
        var g = new MaskGenerator(64, 4, new MaskSettings(0.5, 16)); // 16 patches, 8 masked
        var hits = new int[16];
        var mask = new long[g.OutputLength];
        for (int s = 0; s < 8000; s++)
        {
            var rng = DataRng.For(1, RandomStream.Mask, 0, s);
            g.Generate(ref rng, mask);
            for (int p = 0; p < 16; p++) hits[p] += (int)mask[(p / 4) * 4 * 16 + (p % 4) * 4];
        }
        // Expected 4000 each, sd ~45.
        Assert.All(hits, h => Assert.InRange(h, 3750, 4250));
    }

    [Fact]
    public void SameKeySameMask_DifferentKeyDifferentMask()
    {
        var g = new MaskGenerator(192, 4, new MaskSettings());
        var a = new long[g.OutputLength];
        var b = new long[g.OutputLength];
        var r1 = DataRng.For(5, RandomStream.Mask, 1, 2);
        var r2 = DataRng.For(5, RandomStream.Mask, 1, 2);
        g.Generate(ref r1, a);
        g.Generate(ref r2, b);
        Assert.Equal(a, b);
        var r3 = DataRng.For(5, RandomStream.Mask, 1, 3);
        g.Generate(ref r3, b);
        Assert.NotEqual(a, b);
    }

    [Theory]
    [InlineData(190, 32, 4, "img_size 190 is not divisible by mask_patch_size 32")]
    [InlineData(192, 32, 5, "mask_patch_size 32 is not a multiple of the model patch_size 5")]
    public void IndivisibleSizes_AreRejectedClearly(int input, int maskPatch, int modelPatch, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => new MaskGenerator(input, modelPatch, new MaskSettings(0.6, maskPatch)));
        Assert.Contains(message, e.Message);
    }
}
