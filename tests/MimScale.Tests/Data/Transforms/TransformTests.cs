using MimScale.Data.Random;
using MimScale.Data.Sources;
using MimScale.Data.Transforms;
using SkiaSharp;

namespace MimScale.Tests.Data.Transforms;

public class TransformTests
{
    [Fact]
    public void ToTensorNormalize_OfFixturePngs_ReproducesInputNpy()
    {
        var dir = Fixtures.Dir("swinv2-cls-a");
        using var input = MimScale.Models.TensorFiles.Npy.Read(Path.Combine(dir, "input.npy"));
        Assert.Equal(new long[] { 4, 3, 64, 64 }, input.shape);
        var expected = input.data<float>().ToArray();
        var actual = new float[expected.Length];
        for (int i = 0; i < 4; i++)
        {
            using var img = ImageDecoder.DecodeFile(Path.Combine(dir, $"img{i}.png"));
            Assert.Equal((64, 64), (img.Width, img.Height));
            PixelOps.ToTensorNormalize(img, Normalization.ImageNet, actual.AsSpan(i * 3 * 64 * 64, 3 * 64 * 64));
        }
        double maxDiff = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        Assert.True(maxDiff <= 1e-6, $"max |diff| {maxDiff}");

        // The resampling path at identity geometry gives the same tensor (weights exactly 1) to float rounding.
        using var img0 = ImageDecoder.DecodeFile(Path.Combine(dir, "img0.png"));
        var viaResampler = new float[3 * 64 * 64];
        Resampler.ToNormalizedChw(img0, AxisSpec.Crop(0, 64, 64), AxisSpec.Crop(0, 64, 64), Interpolation.Bilinear,
            Normalization.ImageNet, flip: false, viaResampler);
        Assert.True(viaResampler.Zip(expected, (a, e) => Math.Abs(a - e)).Max() <= 1e-6);
    }

    /// <summary>The 40x30 test picture of Data/reference_values.py, as RGBX.</summary>
    private static DecodedImage Pattern()
    {
        const int w = 40, h = 30;
        var px = new byte[w * h * 4];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int o = (y * w + x) * 4;
                px[o] = (byte)((x * 7 + y * 13) % 256);
                px[o + 1] = (byte)((x * x + 3 * y) % 256);
                px[o + 2] = (byte)(((255 - 5 * x + y * y) % 256 + 256) % 256);
                px[o + 3] = 255;
            }
        return DecodedImage.Wrap(px, w, h, 4);
    }

    [Theory]
    // PIL 9.4 values (Data/reference_values.py): crop (top 3, left 5, 20x25) resized to 16x16.
    [InlineData(Interpolation.Bilinear, 98845, 80, 39, 239, 33, 153, 44)]
    [InlineData(Interpolation.Bicubic, 98901, 78, 37, 238, 34, 160, 38)]
    public void CropResize_MatchesPillow(Interpolation filter, long pilSum, int r0, int g0, int b0, int r79, int g79, int b79)
    {
        using var img = Pattern();
        var rgb = new byte[16 * 16 * 3];
        Resampler.ToRgbBytes(img, AxisSpec.Crop(5, 25, 16), AxisSpec.Crop(3, 20, 16), filter, flip: false, rgb);
        // Pillow rounds to 8 bits after each pass; we keep float in between: allow 1-2 levels per pixel.
        int tol = filter == Interpolation.Bilinear ? 1 : 2;
        AssertPixel(rgb, 16, 0, 0, r0, g0, b0, tol);
        AssertPixel(rgb, 16, 9, 7, r79, g79, b79, tol);
        Assert.InRange(rgb.Sum(b => (long)b), pilSum - 16 * 16 * 3 / 4, pilSum + 16 * 16 * 3 / 4);
    }

    [Theory]
    [InlineData(Interpolation.Bilinear, 881431, 190, 221, 233)]
    [InlineData(Interpolation.Bicubic, 882133, 190, 223, 233)]
    public void Upscale_MatchesPillow(Interpolation filter, long pilSum, int r, int g, int b)
    {
        using var img = Pattern();
        var rgb = new byte[56 * 42 * 3];
        Resampler.ToRgbBytes(img, AxisSpec.Crop(0, 40, 56), AxisSpec.Crop(0, 30, 42), filter, flip: false, rgb);
        AssertPixel(rgb, 56, 20, 10, r, g, b, 2);
        Assert.InRange(rgb.Sum(v => (long)v), pilSum - 56 * 42 * 3 / 4, pilSum + 56 * 42 * 3 / 4);
    }

    private static void AssertPixel(byte[] rgb, int width, int x, int y, int r, int g, int b, int tol)
    {
        int o = (y * width + x) * 3;
        Assert.InRange(rgb[o], r - tol, r + tol);
        Assert.InRange(rgb[o + 1], g - tol, g + tol);
        Assert.InRange(rgb[o + 2], b - tol, b + tol);
    }

    [Fact]
    public void RandomResizedCrop_StaysInScaleAndRatioRanges()
    {
        // A square image lets every ratio in [3/4, 4/3] occur (on 500x375, s >= 0.67 forces w/h >= 0.67*4/3).
        const int W = 400, H = 400;
        var rng = new DataRng(11);
        int n = 20000, fallbacks = 0;
        double minScale = 1, maxScale = 0, minRatio = 10, maxRatio = 0;
        var fb = RandomResizedCrop.CentreFallback(W, H, 3.0 / 4, 4.0 / 3);
        for (int i = 0; i < n; i++)
        {
            var box = RandomResizedCrop.Sample(ref rng, W, H, 0.67, 1.0, 3.0 / 4, 4.0 / 3);
            Assert.InRange(box.Left, 0, W - box.Width);
            Assert.InRange(box.Top, 0, H - box.Height);
            if (box == fb) { fallbacks++; continue; }
            double scale = (double)box.Width * box.Height / (W * H), ratio = (double)box.Width / box.Height;
            minScale = Math.Min(minScale, scale); maxScale = Math.Max(maxScale, scale);
            minRatio = Math.Min(minRatio, ratio); maxRatio = Math.Max(maxRatio, ratio);
        }
        // w and h are rounded to integers: allow half a pixel on each side.
        Assert.InRange(minScale, 0.67 - 0.005, 0.70);
        Assert.InRange(maxScale, 0.97, 1.0);
        Assert.InRange(minRatio, 0.75 - 0.004, 0.77);
        Assert.InRange(maxRatio, 1.31, 4.0 / 3 + 0.004);
        Assert.True(fallbacks < n / 100, $"{fallbacks} fallbacks");
    }

    [Theory]
    // Data/reference_values.py: torchvision's get_params logic driven by an independent Python copy of the stream.
    [InlineData(0, 21, 57, 348, 433, true)]
    [InlineData(1, 8, 53, 345, 417, true)]
    [InlineData(2, 6, 41, 353, 437, false)]
    public void RandomResizedCrop_DrawsArePinned(int position, int top, int left, int h, int w, bool flip)
    {
        var rng = DataRng.For(0, RandomStream.Augment, 0, position);
        Assert.Equal(new CropBox(top, left, h, w), RandomResizedCrop.Sample(ref rng, 500, 375, 0.67, 1.0, 3.0 / 4, 4.0 / 3));
        Assert.Equal(flip, rng.Bernoulli(0.5));
    }

    [Fact]
    public void RandomResizedCrop_FallbackAndCentreCropArithmetic()
    {
        var rng = new DataRng(0);
        // 1000x10 can never fit a ratio <= 4/3 crop of >= 67% area: fallback = full height, width round(10*4/3) = 13, centred.
        Assert.Equal(new CropBox(0, 493, 10, 13), RandomResizedCrop.Sample(ref rng, 1000, 10, 0.67, 1, 3.0 / 4, 4.0 / 3));
        // torchvision Resize(219) of 500x375 -> 292x219; CenterCrop(192): left round(50/2)=... (292-192)/2 = 50, top round(27/2 = 13.5) = 14 (half to even).
        Assert.Equal((292, 219, 50, 14), RandomResizedCrop.ResizeThenCentreCrop(500, 375, 219, 192));
        Assert.Equal((256, 341, 16, 58), RandomResizedCrop.ResizeThenCentreCrop(375, 500, 256, 224));
    }

    [Fact]
    public void SimMimTransform_IsAPureFunctionOfTheSampleKey()
    {
        using var tmp = new TempFolder();
        var rng0 = new DataRng(1);
        var pixels = SyntheticImageFolder.Render(ref rng0, 120, 90);
        using var img = DecodedImage.Wrap(pixels, 120, 90, 4);
        var t = new SimMimTransform(new SimMimTransformConfig { ImageSize = 64, Masks = new(patchSize: 16), ModelPatchSize = 4 });
        var a = new float[3 * 64 * 64];
        var b = new float[3 * 64 * 64];
        var ma = new long[16 * 16];
        var mb = new long[16 * 16];
        t.Apply(img, new SampleContext(9, 2, 17, 0), a, ma);
        t.Apply(img, new SampleContext(9, 2, 17, 0), b, mb);
        Assert.Equal(a, b);
        Assert.Equal(ma, mb);
        Assert.Equal(10 * 16, ma.Sum());
        t.Apply(img, new SampleContext(9, 3, 17, 0), b, mb);
        Assert.NotEqual(a, b);
        // Values are normalised pixels: within [(0-mean)/std, (1-mean)/std].
        Assert.InRange(a.Min(), -0.485f / 0.229f - 1e-5f, 10f);
        Assert.InRange(a.Max(), -10f, (1 - 0.406f) / 0.225f + 1e-5f);

    }

    [Fact]
    public void SimMimTransform_FlipsHalfTheTime()
    {
        // A left-to-right ramp (R = 2x): whatever crop Apply draws, its output rises from left to right unless it was
        // flipped, so the direction of the first row tells a flip from the transform's own output.
        var ramp = new byte[120 * 90 * 4];
        for (int y = 0; y < 90; y++)
            for (int x = 0; x < 120; x++)
            {
                int o = (y * 120 + x) * 4;
                ramp[o] = (byte)(2 * x);
                ramp[o + 3] = 255;
            }
        using var img = DecodedImage.Wrap(ramp, 120, 90, 4);
        var t = new SimMimTransform(new SimMimTransformConfig { ImageSize = 16, Masks = new(patchSize: 16), ModelPatchSize = 4 });
        var chw = new float[3 * 16 * 16];
        var mask = new long[t.MaskLength];
        int flips = 0;
        for (int k = 0; k < 2000; k++)
        {
            t.Apply(img, new SampleContext(9, 0, k, 0), chw, mask);
            Assert.NotEqual(chw[0], chw[15]);
            if (chw[0] > chw[15]) flips++;
        }
        Assert.Equal(Flips, flips);
        Assert.InRange(flips, 933, 1067);   // Binomial(2000, 0.5): ±3 sd
        // Flip probability 0 never flips.
        var never = new SimMimTransform(new SimMimTransformConfig { ImageSize = 16, Masks = new(patchSize: 16), ModelPatchSize = 4, FlipProbability = 0 });
        for (int k = 0; k < 200; k++)
        {
            never.Apply(img, new SampleContext(9, 0, k, 0), chw, mask);
            Assert.True(chw[0] < chw[15]);
        }
    }

    // Flipped outputs of the 2000 samples above (seed 9, epoch 0), pinned.
    const int Flips = 997;

    [Fact]
    public void ValidationTransform_IsDeterministic_WithFixedMasksPerImage()
    {
        var rng0 = new DataRng(2);
        using var img = DecodedImage.Wrap(SyntheticImageFolder.Render(ref rng0, 100, 80), 100, 80, 4);
        var v = ValidationTransform.ForSimMim(new SimMimTransformConfig { ImageSize = 64, Masks = new(patchSize: 16), ModelPatchSize = 4 }, maskSeed: 5);
        Assert.Equal(73, v.Config.ResizeSize); // int(64 * 256 / 224)
        var a = new float[3 * 64 * 64];
        var b = new float[3 * 64 * 64];
        var ma = new long[256];
        var mb = new long[256];
        v.Apply(img, new SampleContext(1, 0, 0, 3), a, ma);
        v.Apply(img, new SampleContext(99, 7, 12, 3), b, mb); // other seed/epoch/position, same image index
        Assert.Equal(a, b);
        Assert.Equal(ma, mb);
        v.FixedMask(4, mb);
        Assert.NotEqual(ma, mb);
    }

    [Fact]
    public void GrayscaleSource_IsReplicatedToThreeChannels()
    {
        var gray = new byte[28 * 28];
        for (int i = 0; i < gray.Length; i++) gray[i] = (byte)(i % 251);
        using var img = DecodedImage.Wrap(gray, 28, 28, 1);
        var chw = new float[3 * 28 * 28];
        var norm = new Normalization(0.5, 0.5, 0.5, 0.5, 0.5, 0.5);
        PixelOps.ToTensorNormalize(img, norm, chw);
        Assert.Equal(chw.AsSpan(0, 784).ToArray(), chw.AsSpan(784, 784).ToArray());
        Assert.Equal((100 / 255f - 0.5f) / 0.5f, chw[2 * 784 + 100]);
        var up = new float[3 * 56 * 56];
        Resampler.ToNormalizedChw(img, AxisSpec.Crop(0, 28, 56), AxisSpec.Crop(0, 28, 56), Interpolation.Bilinear, norm, false, up);
        Assert.Equal(up.AsSpan(0, 56 * 56).ToArray(), up.AsSpan(2 * 56 * 56, 56 * 56).ToArray());
    }

    [Fact]
    public void HorizontalFlip_MirrorsTheOutput()
    {
        using var img = Pattern();
        var a = new float[3 * 20 * 20];
        var b = new float[3 * 20 * 20];
        Resampler.ToNormalizedChw(img, AxisSpec.Crop(2, 30, 20), AxisSpec.Crop(1, 25, 20), Interpolation.Bilinear, Normalization.ImageNet, false, a);
        Resampler.ToNormalizedChw(img, AxisSpec.Crop(2, 30, 20), AxisSpec.Crop(1, 25, 20), Interpolation.Bilinear, Normalization.ImageNet, true, b);
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < 20; y++)
                for (int x = 0; x < 20; x++)
                    Assert.Equal(a[c * 400 + y * 20 + x], b[c * 400 + y * 20 + 19 - x]);
    }
}
