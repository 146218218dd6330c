using MimScale.Data.Random;
using MimScale.Dense.Segmentation;

namespace MimScale.Tests.Dense.Segmentation;

/// <summary>The training transforms and the schedule against hand-computed values (mmcv/mmseg formulas).</summary>
public class TransformTests
{
    [Fact]
    public void RescaleTakesTheShortSideToTargetUnlessTheLongSideWouldPassItsCap()
    {
        // ADE (2048, 512): 640 x 480 -> factor min(3.2, 1.0667) -> 683 x 512.
        Assert.Equal((683, 512), ScaleRule.Rescale(640, 480, (2048, 512)));
        // 3000 x 500: the long side caps: factor 2048/3000 -> 2048 x int(341.33 + 0.5) = 341.
        Assert.Equal((2048, 341), ScaleRule.Rescale(3000, 500, (2048, 512)));
        Assert.Equal((2048, 341), ScaleRule.Rescale(3000, 500, (512, 2048)));  // the order of the pair does not matter
        // Jitter: each side x ratio, truncated.
        Assert.Equal((1280, 320), ScaleRule.Jitter((2560, 640), 0.5));
        Assert.Equal((191, 47), ScaleRule.Jitter((256, 64), 0.749));
    }

    [Fact]
    public void BilinearAndNearestResizeFollowOpenCvGeometry()
    {
        // 2 x 1 -> 4 x 1: source x = (d + 0.5) / 2 - 0.5 = -0.25, 0.25, 0.75, 1.25 (clamped at both ends).
        var img = new RgbImage(2, 1, new byte[] { 0, 0, 0, 100, 200, 40 });
        Assert.Equal(new byte[] { 0, 0, 0, 25, 50, 10, 75, 150, 30, 100, 200, 40 }, img.ResizeBilinear(4, 1).Pixels);
        // Nearest 4 -> 2 takes floor(d * 2): columns 0 and 2; 2 -> 3 takes floor(d * 2/3): 0, 0, 1.
        var map = new LabelMap(4, 1, new ushort[] { 1, 2, 3, 255 });
        Assert.Equal(new ushort[] { 1, 3 }, map.ResizeNearest(2, 1).Values);
        Assert.Equal(new ushort[] { 1, 1, 3 }, map.ResizeNearest(4, 1).ResizeNearest(2, 1).ResizeNearest(3, 1).Values);
    }

    [Fact]
    public void TheCategoryRatioTestCountsOnlyNonIgnoredPixels()
    {
        static bool Pass(params ushort[] v) => new LabelMap(v.Length, 1, v).PassesCategoryRatio(0.75);
        Assert.False(Pass(0, 0, 0, 1));          // 3/4 is not below 0.75
        Assert.True(Pass(0, 0, 1, 1));
        Assert.False(Pass(0, 0, 0, 255));        // a single class never passes
        Assert.True(Pass(0, 1, 255, 255));       // 1/2 of the labelled pixels
        Assert.False(Pass(255, 255));
    }

    [Fact]
    public void AugmentedImagesAndLabelsStayAligned()
    {
        // Label = R / 10 everywhere; no rescale (ratio 1, scale = the image), no photometric: crop and flip keep R = 10 x label.
        var pixels = new byte[12 * 9 * 3];
        var labels = new ushort[12 * 9];
        for (int i = 0; i < labels.Length; i++) { labels[i] = (ushort)(i % 7 == 6 ? 255 : i % 7); pixels[3 * i] = (byte)(10 * (labels[i] % 255)); }
        var augment = new SegmentationAugment((12, 9), 1, 1, 5, 8, 0.75, 0.5, null);
        for (ulong s = 0; s < 20; s++)
        {
            var rng = new DataRng(s);
            var (img, lab) = augment.Apply(new RgbImage(12, 9, pixels), new LabelMap(12, 9, labels), ref rng);
            Assert.Equal((8, 5), (img.Width, img.Height));
            Assert.Equal((8, 5), (lab.Width, lab.Height));
            for (int i = 0; i < lab.Values.Length; i++) Assert.Equal(10 * (lab.Values[i] % 255), img.Pixels[3 * i]);
        }
    }

    [Fact]
    public void PhotometricStepsTruncateLikeNumpyAndTheHsvRoundTripIsExactOnPrimaries()
    {
        Assert.Equal(150, PhotometricDistortion.Convert(100, 1.5, 0.7));   // 150.7 -> 150 (astype(uint8) truncates)
        Assert.Equal(255, PhotometricDistortion.Convert(200, 1.5, 0));
        Assert.Equal(0, PhotometricDistortion.Convert(10, 1, -32));
        Assert.Equal(((byte)0, (byte)255, (byte)255), PhotometricDistortion.RgbToHsv(255, 0, 0));
        Assert.Equal(((byte)60, (byte)255, (byte)255), PhotometricDistortion.RgbToHsv(0, 255, 0));
        Assert.Equal(((byte)120, (byte)255, (byte)128), PhotometricDistortion.RgbToHsv(0, 0, 128));
        Assert.Equal(((byte)0, (byte)0, (byte)77), PhotometricDistortion.RgbToHsv(77, 77, 77));
        foreach (var (r, g, b) in new (byte, byte, byte)[] { (255, 0, 0), (0, 255, 0), (0, 0, 128), (77, 77, 77) })
        {
            var (h, s, v) = PhotometricDistortion.RgbToHsv(r, g, b);
            Assert.Equal((r, g, b), PhotometricDistortion.HsvToRgb(h, s, v));
        }
    }

    [Fact]
    public void ThePolyScheduleWarmsUpLinearlyThenDecaysToZero()
    {
        var s = new PolySchedule(1e-4, 100, 10, 1e-6);
        Assert.Equal(1e-10, s.At(0), 15);                                 // poly(0) x (1 - (1 - 0)(1 - 1e-6))
        Assert.Equal(1e-4 * 0.95 * (0.5 + 0.5e-6), s.At(5), 15);          // poly(5) x (1 - 0.5 (1 - 1e-6))
        Assert.Equal(0.9e-4, s.At(10), 15);
        Assert.Equal(0.5e-4, s.At(50), 15);
        Assert.Equal(0, s.At(100), 15);
        // A group with scale 0.9: the same curve scaled (min_lr 0).
        Assert.Equal(0.9 * s.At(37), s.At(37, 0.9e-4), 15);
    }
}
