using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Dense.Segmentation;

/// <summary>Per-channel mean and std in 0..255 pixel units (mmseg's SegDataPreProcessor convention), RGB order.</summary>
public sealed record PixelNorm(double[] Mean, double[] Std)
{
    /// <summary>ImageNet's, as mmseg's configs: mean (123.675, 116.28, 103.53), std (58.395, 57.12, 57.375).</summary>
    public static PixelNorm ImageNet => new(new[] { 123.675, 116.28, 103.53 }, new[] { 58.395, 57.12, 57.375 });

    public PixelNorm Validate()
    {
        if (Mean.Length != 3 || Std.Length != 3) throw new ArgumentException("mean and std need three values (R, G, B)");
        if (Std.Any(s => s <= 0)) throw new ArgumentException("std values must be positive");
        return this;
    }
}

/// <summary>
/// mmseg's data preprocessor (SegDataPreProcessor): normalise (x - mean) / std per channel, then pad each sample
/// right/bottom to the batch size (<c>stack_batch(size=crop_size)</c>): image with 0 after normalisation, label 255.
/// </summary>
public static class SegmentationTensors
{
    /// <summary>A (B, 3, H, W) float batch and (B, H, W) int64 labels, padded to <paramref name="height"/> x <paramref name="width"/>.</summary>
    public static (Tensor Images, Tensor Labels) Batch(IReadOnlyList<(RgbImage Image, LabelMap Label)> samples, int height, int width, PixelNorm norm)
    {
        int b = samples.Count, plane = height * width;
        var pixels = new float[b * 3 * plane];
        var labels = new long[b * plane];
        Array.Fill(labels, LabelMap.Ignore);
        for (int n = 0; n < b; n++)
        {
            var (img, lab) = samples[n];
            if (img.Width > width || img.Height > height)
                throw new ArgumentException($"sample {n} is {img.Width}x{img.Height}, larger than the batch size {width}x{height}");
            Normalize(img, norm, pixels.AsSpan(n * 3 * plane, 3 * plane), width, height);
            for (int y = 0; y < lab.Height; y++)
                for (int x = 0; x < lab.Width; x++) labels[n * plane + y * width + x] = lab.Values[y * lab.Width + x];
        }
        return (torch.tensor(pixels, new long[] { b, 3, height, width }), torch.tensor(labels, new long[] { b, height, width }));
    }

    /// <summary>One image as a (1, 3, H, W) normalised tensor, no padding (test time).</summary>
    public static Tensor Image(RgbImage image, PixelNorm norm)
    {
        var pixels = new float[3 * image.Width * image.Height];
        Normalize(image, norm, pixels, image.Width, image.Height);
        return torch.tensor(pixels, new long[] { 1, 3, image.Height, image.Width });
    }

    // CHW into a (3, height, width) plane set; pixels outside the image stay 0 (the padding).
    static void Normalize(RgbImage img, PixelNorm norm, Span<float> chw, int width, int height)
    {
        int plane = width * height;
        for (int c = 0; c < 3; c++)
        {
            float mean = (float)norm.Mean[c], inv = (float)(1.0 / norm.Std[c]);
            for (int y = 0; y < img.Height; y++)
                for (int x = 0; x < img.Width; x++)
                    chw[c * plane + y * width + x] = (img.Pixels[(y * img.Width + x) * 3 + c] - mean) * inv;
        }
    }
}
