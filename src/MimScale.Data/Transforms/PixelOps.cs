using MimScale.Data.Sources;

namespace MimScale.Data.Transforms;

/// <summary>Geometry-free pixel conversions.</summary>
public static class PixelOps
{
    /// <summary>
    /// torchvision ToTensor + Normalize without resizing, in its float32 operation order: (b / 255 - mean) / std,
    /// grayscale replicated to 3 channels. Writes (3, H, W).
    /// </summary>
    public static void ToTensorNormalize(DecodedImage image, Normalization norm, Span<float> chw)
    {
        int w = image.Width, h = image.Height, c = image.Channels, plane = w * h;
        if (chw.Length < 3 * plane) throw new ArgumentException("CHW span too small", nameof(chw));
        var px = image.Pixels;
        for (int ch = 0; ch < 3; ch++)
        {
            float mean = (float)norm.Mean(ch), std = (float)norm.Std(ch);
            int src = c == 1 ? 0 : ch;
            var dst = chw.Slice(ch * plane, plane);
            for (int i = 0; i < plane; i++) dst[i] = (px[i * c + src] / 255f - mean) / std;
        }
    }

    /// <summary>Interleaved 8-bit RGB (H, W, 3) to normalised (3, H, W), same arithmetic as <see cref="ToTensorNormalize"/>.</summary>
    public static void RgbToTensorNormalize(ReadOnlySpan<byte> rgb, int width, int height, Normalization norm, Span<float> chw)
    {
        int plane = width * height;
        for (int ch = 0; ch < 3; ch++)
        {
            float mean = (float)norm.Mean(ch), std = (float)norm.Std(ch);
            var dst = chw.Slice(ch * plane, plane);
            for (int i = 0; i < plane; i++) dst[i] = (rgb[i * 3 + ch] / 255f - mean) / std;
        }
    }
}
