using MimScale.Data.Random;

namespace MimScale.Data.Transforms;

/// <summary>
/// timm's RandAugment as the fine-tuning config uses it ('rand-m9-mstd0.5-inc1', timm 0.4.12): two ops drawn
/// uniformly with replacement from the 15 "increasing" ops, each applied with probability 0.5 at magnitude
/// N(9, 0.5) clipped to [0, 10]; geometric ops resample bicubic and fill with the ImageNet mean colour
/// (124, 116, 104). Works on interleaved 8-bit RGB, in place. Arithmetic is PIL's (ImageOps, ImageEnhance, the AFFINE
/// transform), equal to PIL 9.4 to the last level for all 15 ops (tests/fixtures/randaugment).
/// </summary>
public sealed class RandAugment
{
    /// <summary>The op names, timm's _RAND_INCREASING_TRANSFORMS order.</summary>
    public static readonly IReadOnlyList<string> Ops =
    [
        "AutoContrast", "Equalize", "Invert", "Rotate", "PosterizeIncreasing", "SolarizeIncreasing", "SolarizeAdd",
        "ColorIncreasing", "ContrastIncreasing", "BrightnessIncreasing", "SharpnessIncreasing", "ShearX", "ShearY",
        "TranslateXRel", "TranslateYRel",
    ];

    /// <summary>Ops per image.</summary>
    public int NumLayers { get; }
    /// <summary>Mean magnitude (0..10).</summary>
    public double Magnitude { get; }
    /// <summary>Std of the per-op magnitude draw.</summary>
    public double MagnitudeStd { get; }
    /// <summary>Probability of applying each drawn op.</summary>
    public double Probability { get; }
    private static readonly byte[] Fill = [124, 116, 104];

    public RandAugment(int numLayers = 2, double magnitude = 9, double magnitudeStd = 0.5, double probability = 0.5)
    {
        NumLayers = numLayers;
        Magnitude = magnitude;
        MagnitudeStd = magnitudeStd;
        Probability = probability;
    }

    /// <summary>Applies the random ops to <paramref name="rgb"/> (h, w, 3).</summary>
    public void Apply(ref DataRng rng, Span<byte> rgb, int w, int h)
    {
        Span<int> chosen = stackalloc int[NumLayers];
        for (int i = 0; i < NumLayers; i++) chosen[i] = rng.NextInt(Ops.Count);
        foreach (int op in chosen)
        {
            if (!rng.Bernoulli(Probability)) continue;
            double m = Math.Clamp(Magnitude + MagnitudeStd * rng.Normal(), 0, 10);
            ApplyOp(op, m, ref rng, rgb, w, h);
        }
    }

    /// <summary>Applies op <paramref name="op"/> at magnitude <paramref name="m"/> (signed ops draw their sign from <paramref name="rng"/>).</summary>
    public static void ApplyOp(int op, double m, ref DataRng rng, Span<byte> rgb, int w, int h)
    {
        double level = m / 10.0;
        switch (Ops[op])
        {
            case "AutoContrast": AutoContrast(rgb); break;
            case "Equalize": Equalize(rgb); break;
            case "Invert": Lut(rgb, v => 255 - v); break;
            case "Rotate": Rotate(rgb, w, h, Signed(ref rng, level * 30.0)); break;
            case "PosterizeIncreasing":
                {
                    int bits = 4 - (int)(level * 4);
                    if (bits < 8) { int mask = ~((1 << (8 - bits)) - 1) & 0xFF; Lut(rgb, v => v & mask); }
                    break;
                }
            case "SolarizeIncreasing": { int t = 256 - (int)(level * 256); Lut(rgb, v => v >= t ? 255 - v : v); break; }
            case "SolarizeAdd": { int add = (int)(level * 110); Lut(rgb, v => v < 128 ? Math.Min(255, v + add) : v); break; }
            case "ColorIncreasing": Blend(rgb, Grayscale(rgb), 1.0 + Signed(ref rng, level * 0.9)); break;
            case "ContrastIncreasing":
                {
                    var gray = Grayscale(rgb);
                    double mean = 0;
                    for (int i = 0; i < gray.Length; i += 3) mean += gray[i];
                    byte g = (byte)Math.Clamp((int)(mean / (gray.Length / 3) + 0.5), 0, 255);
                    gray.AsSpan().Fill(g);
                    Blend(rgb, gray, 1.0 + Signed(ref rng, level * 0.9));
                    break;
                }
            case "BrightnessIncreasing": Blend(rgb, new byte[rgb.Length], 1.0 + Signed(ref rng, level * 0.9)); break;
            case "SharpnessIncreasing": Blend(rgb, Smooth(rgb, w, h), 1.0 + Signed(ref rng, level * 0.9)); break;
            case "ShearX": Affine(rgb, w, h, 1, Signed(ref rng, level * 0.3), 0, 0, 1, 0); break;
            case "ShearY": Affine(rgb, w, h, 1, 0, 0, Signed(ref rng, level * 0.3), 1, 0); break;
            case "TranslateXRel": Affine(rgb, w, h, 1, 0, Signed(ref rng, level * 0.45) * w, 0, 1, 0); break;
            case "TranslateYRel": Affine(rgb, w, h, 1, 0, 0, 0, 1, Signed(ref rng, level * 0.45) * h); break;
        }
    }

    private static double Signed(ref DataRng rng, double v) => rng.Bernoulli(0.5) ? -v : v;

    private static void Lut(Span<byte> rgb, Func<int, int> f)
    {
        Span<byte> lut = stackalloc byte[256];
        for (int i = 0; i < 256; i++) lut[i] = (byte)Math.Clamp(f(i), 0, 255);
        for (int i = 0; i < rgb.Length; i++) rgb[i] = lut[rgb[i]];
    }

    /// <summary>PIL ImageOps.autocontrast(cutoff=0) per channel.</summary>
    private static void AutoContrast(Span<byte> rgb)
    {
        for (int c = 0; c < 3; c++)
        {
            int lo = 255, hi = 0;
            for (int i = c; i < rgb.Length; i += 3) { lo = Math.Min(lo, rgb[i]); hi = Math.Max(hi, rgb[i]); }
            if (hi <= lo) continue;
            double scale = 255.0 / (hi - lo), offset = -lo * scale;
            for (int i = c; i < rgb.Length; i += 3) rgb[i] = (byte)Math.Clamp((int)(rgb[i] * scale + offset), 0, 255);
        }
    }

    /// <summary>PIL ImageOps.equalize per channel.</summary>
    private static void Equalize(Span<byte> rgb)
    {
        Span<int> hist = stackalloc int[256];
        Span<byte> lut = stackalloc byte[256];
        for (int c = 0; c < 3; c++)
        {
            hist.Clear();
            for (int i = c; i < rgb.Length; i += 3) hist[rgb[i]]++;
            int last = 255;
            while (last > 0 && hist[last] == 0) last--;
            int total = rgb.Length / 3, step = (total - hist[last]) / 255;
            if (step == 0) continue;
            int n = step / 2;
            for (int i = 0; i < 256; i++) { lut[i] = (byte)Math.Min(255, n / step); n += hist[i]; }
            for (int i = c; i < rgb.Length; i += 3) rgb[i] = lut[rgb[i]];
        }
    }

    /// <summary>PIL "L" conversion (ITU-R 601-2 luma), replicated to three channels.</summary>
    private static byte[] Grayscale(ReadOnlySpan<byte> rgb)
    {
        var g = new byte[rgb.Length];
        for (int i = 0; i < rgb.Length; i += 3)
        {
            byte l = (byte)((rgb[i] * 19595 + rgb[i + 1] * 38470 + rgb[i + 2] * 7471 + 0x8000) >> 16);
            g[i] = g[i + 1] = g[i + 2] = l;
        }
        return g;
    }

    /// <summary>PIL ImageFilter.SMOOTH (3x3 kernel 1,1,1/1,5,1/1,1,1 over 13), borders kept.</summary>
    private static byte[] Smooth(ReadOnlySpan<byte> rgb, int w, int h)
    {
        var o = rgb.ToArray();
        for (int y = 1; y < h - 1; y++)
            for (int x = 1; x < w - 1; x++)
                for (int c = 0; c < 3; c++)
                {
                    int sum = 0;
                    for (int dy = -1; dy <= 1; dy++)
                        for (int dx = -1; dx <= 1; dx++)
                            sum += rgb[((y + dy) * w + x + dx) * 3 + c] * (dx == 0 && dy == 0 ? 5 : 1);
                    o[(y * w + x) * 3 + c] = (byte)Math.Clamp((int)(sum / 13.0 + 0.5), 0, 255);
                }
        return o;
    }

    /// <summary>
    /// PIL Image.blend(degenerate, image, factor) = degenerate + factor * (image - degenerate), as Pillow's ImagingBlend
    /// computes it: in float32 (its alpha is a C float), clipped to [0, 255] and truncated, not rounded.
    /// </summary>
    private static void Blend(Span<byte> rgb, ReadOnlySpan<byte> degenerate, double factor)
    {
        float alpha = (float)factor;
        for (int i = 0; i < rgb.Length; i++)
        {
            float t = degenerate[i] + alpha * (rgb[i] - degenerate[i]);
            rgb[i] = t <= 0f ? (byte)0 : t >= 255f ? (byte)255 : (byte)t;
        }
    }

    /// <summary>PIL Image.rotate(degrees) about the centre, bicubic, mean-colour fill.</summary>
    private static void Rotate(Span<byte> rgb, int w, int h, double degrees)
    {
        // PIL rounds the matrix entries to 15 decimals (Image.rotate).
        double a = -degrees * Math.PI / 180.0, cos = Math.Round(Math.Cos(a), 15), sin = Math.Round(Math.Sin(a), 15);
        double cx = w / 2.0, cy = h / 2.0;
        // Inverse map: source = R * (p - centre) + centre, PIL's matrix (cos, sin, c; -sin, cos, f).
        double c = cos * -cx + sin * -cy + cx, f = -sin * -cx + cos * -cy + cy;
        Affine(rgb, w, h, cos, sin, c, -sin, cos, f);
    }

    /// <summary>
    /// PIL Image.transform(AFFINE, (a,b,c,d,e,f), BICUBIC, fillcolor): output pixel centre p maps to source
    /// (a px + b py + c, d px + e py + f); outside the source the fill colour is used. Pillow's transform filter
    /// (Geometry.c, bicubic_filter32RGB) is not its resize filter: a cubic with a = -1 (p1 = v2, p2 = v3 - v1,
    /// p3 = 2(v1 - v2) + v3 - v4, p4 = -v1 + v2 - v3 + v4), rows first, edge pixels repeated, the result clipped and
    /// truncated. Measured against PIL 9.4: the a = -0.5 kernel with rounding was off by up to 16 levels.
    /// </summary>
    private static void Affine(Span<byte> rgb, int w, int h, double a, double b, double c, double d, double e, double f)
    {
        var src = rgb.ToArray();
        Span<double> rows = stackalloc double[4];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                double px = x + 0.5, py = y + 0.5;
                double sx = a * px + b * py + c, sy = d * px + e * py + f;
                int o = (y * w + x) * 3;
                if (sx < 0 || sx >= w || sy < 0 || sy >= h)
                {
                    rgb[o] = Fill[0]; rgb[o + 1] = Fill[1]; rgb[o + 2] = Fill[2];
                    continue;
                }
                sx -= 0.5; sy -= 0.5;
                int x0 = (int)Math.Floor(sx), y0 = (int)Math.Floor(sy);
                double dx = sx - x0, dy = sy - y0;
                for (int ch = 0; ch < 3; ch++)
                {
                    for (int j = 0; j < 4; j++)
                    {
                        int row = Math.Clamp(y0 - 1 + j, 0, h - 1) * w;
                        double V(int k) => src[(row + Math.Clamp(x0 - 1 + k, 0, w - 1)) * 3 + ch];
                        rows[j] = Cubic(V(0), V(1), V(2), V(3), dx);
                    }
                    double v = Cubic(rows[0], rows[1], rows[2], rows[3], dy);
                    rgb[o + ch] = v <= 0 ? (byte)0 : v >= 255 ? (byte)255 : (byte)v;
                }
            }
    }

    private static double Cubic(double v1, double v2, double v3, double v4, double t)
    {
        double p2 = v3 - v1, p3 = 2 * (v1 - v2) + v3 - v4, p4 = -v1 + v2 - v3 + v4;
        return v2 + t * (p2 + t * (p3 + t * p4));
    }
}
