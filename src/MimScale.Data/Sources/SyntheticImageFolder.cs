using System.Globalization;
using MimScale.Data.Random;
using SkiaSharp;

namespace MimScale.Data.Sources;

/// <summary>
/// Writes small ImageNet-layout folders of synthetic images (gradients plus seeded blocks, so JPEG sizes are
/// realistic) for tests and the loader benchmark. Deterministic in the seed.
/// </summary>
public static class SyntheticImageFolder
{
    /// <summary>
    /// Writes <paramref name="classes"/> class folders <c>class_000</c>.. with <paramref name="perClass"/> images
    /// <c>img_0000.jpg</c>/<c>.png</c> each, of <paramref name="width"/> x <paramref name="height"/>. Returns the root.
    /// </summary>
    public static string Write(string root, int classes, int perClass, int width, int height, ulong seed = 0,
        SKEncodedImageFormat format = SKEncodedImageFormat.Jpeg, int quality = 90)
    {
        Directory.CreateDirectory(root);
        string ext = format == SKEncodedImageFormat.Png ? ".png" : ".jpg";
        for (int c = 0; c < classes; c++)
        {
            var dir = Path.Combine(root, "class_" + c.ToString("D3", CultureInfo.InvariantCulture));
            Directory.CreateDirectory(dir);
            for (int k = 0; k < perClass; k++)
            {
                var rng = DataRng.For(seed, RandomStream.Synthetic, c, k);
                var bytes = Encode(Render(ref rng, width, height), width, height, format, quality);
                File.WriteAllBytes(Path.Combine(dir, "img_" + k.ToString("D4", CultureInfo.InvariantCulture) + ext), bytes);
            }
        }
        return root;
    }

    /// <summary>RGBA pixels: a random linear gradient with a few random flat rectangles on top.</summary>
    public static byte[] Render(ref DataRng rng, int width, int height)
    {
        var px = new byte[width * height * 4];
        double ax = rng.Uniform(-1, 1), ay = rng.Uniform(-1, 1);
        var baseColor = new[] { rng.NextInt(256), rng.NextInt(256), rng.NextInt(256) };
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                double g = (ax * x / width + ay * y / height) * 127;
                int o = (y * width + x) * 4;
                for (int ch = 0; ch < 3; ch++) px[o + ch] = (byte)Math.Clamp(baseColor[ch] + g * (ch + 1) / 2, 0, 255);
                px[o + 3] = 255;
            }
        int rects = 3 + rng.NextInt(5);
        for (int r = 0; r < rects; r++)
        {
            int x0 = rng.NextInt(width), y0 = rng.NextInt(height);
            int x1 = Math.Min(width, x0 + 1 + rng.NextInt(Math.Max(1, width / 3)));
            int y1 = Math.Min(height, y0 + 1 + rng.NextInt(Math.Max(1, height / 3)));
            byte cr = (byte)rng.NextInt(256), cg = (byte)rng.NextInt(256), cb = (byte)rng.NextInt(256);
            for (int y = y0; y < y1; y++)
                for (int x = x0; x < x1; x++)
                {
                    int o = (y * width + x) * 4;
                    px[o] = cr; px[o + 1] = cg; px[o + 2] = cb;
                }
        }
        return px;
    }

    /// <summary>Encodes RGBA pixels (opaque or straight alpha) with Skia.</summary>
    public static unsafe byte[] Encode(byte[] rgba, int width, int height, SKEncodedImageFormat format, int quality = 90,
        SKColorType colorType = SKColorType.Rgba8888)
    {
        int bpp = colorType == SKColorType.Gray8 ? 1 : 4;
        if (rgba.Length < width * height * bpp) throw new ArgumentException("pixel buffer too small", nameof(rgba));
        var info = new SKImageInfo(width, height, colorType, colorType == SKColorType.Gray8 ? SKAlphaType.Opaque : SKAlphaType.Unpremul);
        using var bitmap = new SKBitmap();
        fixed (byte* p = rgba)
        {
            bitmap.InstallPixels(info, (IntPtr)p, width * bpp);
            using var image = SKImage.FromBitmap(bitmap);
            using var data = image.Encode(format, quality) ?? throw new InvalidOperationException($"Skia cannot encode {format}");
            return data.ToArray();
        }
    }
}
