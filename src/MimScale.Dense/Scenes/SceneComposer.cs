using MimScale.Data.Random;

namespace MimScale.Dense.Scenes;

/// <summary>
/// Composes one scene: a textured background, then 2-6 items pasted one after another at random sides and
/// positions (fully inside the canvas; later items occlude earlier ones), each resized bilinearly, tinted, and
/// pasted only where its resized intensity exceeds the threshold: that foreground is exactly the pixels its mask
/// and the semantic map give it. A pure function of (items, options, random stream).
/// </summary>
public static class SceneComposer
{
    /// <summary>Composes a scene from the draws of <paramref name="rng"/>.</summary>
    public static Scene Compose(ISceneItems items, SceneOptions options, ref DataRng rng)
    {
        if (items.Count == 0) throw new ArgumentException("the item source is empty");
        if (items.ClassNames.Count >= ushort.MaxValue) throw new ArgumentException("too many item classes");
        int size = options.Size;
        var rgb = new byte[size * size * 3];
        var instance = new ushort[size * size];
        SceneBackground.Render(ref rng, rgb, size);

        int n = rng.NextIntInclusive(options.MinItems, options.MaxItems);
        var placements = new ScenePlacement[n];
        for (int k = 0; k < n; k++)
        {
            int item = rng.NextInt(items.Count);
            int side = rng.NextIntInclusive(options.MinSide, options.MaxSide);
            int x0 = rng.NextInt(size - side + 1), y0 = rng.NextInt(size - side + 1);
            var tint = (rng.Uniform(0.25, 1), rng.Uniform(0.25, 1), rng.Uniform(0.25, 1));
            var p = placements[k] = new ScenePlacement(item, items.Label(item), x0, y0, side, tint);
            var patch = Resize(items.Pixels(item), items.Side, side);
            for (int y = 0; y < side; y++)
                for (int x = 0; x < side; x++)
                {
                    byte v = patch[y * side + x];
                    if (v <= options.Threshold) continue;
                    int o = (y0 + y) * size + x0 + x;
                    instance[o] = (ushort)(k + 1);
                    rgb[3 * o] = Shade(p.Tint.R, v);
                    rgb[3 * o + 1] = Shade(p.Tint.G, v);
                    rgb[3 * o + 2] = Shade(p.Tint.B, v);
                }
        }
        return new Scene(size, rgb, placements, instance);
    }

    /// <summary>Colour of an item pixel: tint times an intensity lifted to [0.3, 1] so dim texture stays visible.</summary>
    public static byte Shade(double tint, byte intensity) =>
        (byte)Math.Round(255 * tint * (0.3 + 0.7 * intensity / 255.0));

    /// <summary>
    /// The foreground mask of an item resized to <paramref name="side"/>: resized intensity &gt; threshold
    /// (side*side, row-major). The same rule <see cref="Compose"/> pastes with.
    /// </summary>
    public static bool[] Foreground(ReadOnlySpan<byte> pixels, int itemSide, int side, int threshold)
    {
        var patch = Resize(pixels, itemSide, side);
        var mask = new bool[patch.Length];
        for (int i = 0; i < patch.Length; i++) mask[i] = patch[i] > threshold;
        return mask;
    }

    /// <summary>
    /// Bilinear resize of a square grayscale picture with half-pixel centres (PyTorch's interpolate with
    /// align_corners=False, no antialias): source coordinate (x + 0.5) * in/out - 0.5, clamped to the edges.
    /// </summary>
    public static byte[] Resize(ReadOnlySpan<byte> src, int inSide, int outSide)
    {
        var dst = new byte[outSide * outSide];
        double scale = (double)inSide / outSide;
        Span<int> i0 = stackalloc int[outSide];
        Span<int> i1 = stackalloc int[outSide];
        Span<double> w = stackalloc double[outSide];
        for (int o = 0; o < outSide; o++)
        {
            double s = Math.Clamp((o + 0.5) * scale - 0.5, 0, inSide - 1);
            i0[o] = (int)s;
            i1[o] = Math.Min(i0[o] + 1, inSide - 1);
            w[o] = s - i0[o];
        }
        for (int y = 0; y < outSide; y++)
            for (int x = 0; x < outSide; x++)
            {
                double top = src[i0[y] * inSide + i0[x]] * (1 - w[x]) + src[i0[y] * inSide + i1[x]] * w[x];
                double bottom = src[i1[y] * inSide + i0[x]] * (1 - w[x]) + src[i1[y] * inSide + i1[x]] * w[x];
                dst[y * outSide + x] = (byte)Math.Round(top * (1 - w[y]) + bottom * w[y]);
            }
        return dst;
    }
}
