using MimScale.Data.Random;

namespace MimScale.Dense.Segmentation;

/// <summary>
/// mmseg's <c>PhotoMetricDistortion</c> (mmseg/datasets/transforms/transforms.py) on 8-bit RGB: each step happens
/// with probability 1/2. Brightness (+U(-32, 32)); contrast (xU(0.5, 1.5)) either second or last (a coin);
/// saturation (S channel xU(0.5, 1.5) in OpenCV's 8-bit HSV); hue (H + randint(-18, 18) mod 180, numpy's randint so
/// the upper end is excluded). Every step is mmseg's <c>convert</c>: float multiply-add, clip to [0, 255], truncate to
/// uint8. The HSV round trip follows OpenCV's 8-bit formulas (H in 0..180, S and V in 0..255).
/// </summary>
public sealed record PhotometricDistortion(int BrightnessDelta = 32, double ContrastLower = 0.5, double ContrastUpper = 1.5,
    double SaturationLower = 0.5, double SaturationUpper = 1.5, int HueDelta = 18)
{
    /// <summary>A distorted copy of <paramref name="image"/>; the draws come from <paramref name="rng"/>.</summary>
    public RgbImage Apply(RgbImage image, ref DataRng rng)
    {
        var px = (byte[])image.Pixels.Clone();
        if (rng.NextInt(2) == 1) Convert(px, 1, rng.Uniform(-BrightnessDelta, BrightnessDelta));
        int mode = rng.NextInt(2);
        if (mode == 1) Contrast(px, ref rng);
        if (rng.NextInt(2) == 1)
        {
            double alpha = rng.Uniform(SaturationLower, SaturationUpper);
            MapHsv(px, (ref byte h, ref byte s) => s = Convert(s, alpha, 0));
        }
        if (rng.NextInt(2) == 1)
        {
            int delta = -HueDelta + rng.NextInt(2 * HueDelta);                    // numpy randint(-d, d): -d..d-1
            MapHsv(px, (ref byte h, ref byte s) => h = (byte)(((h + delta) % 180 + 180) % 180));
        }
        if (mode == 0) Contrast(px, ref rng);
        return new RgbImage(image.Width, image.Height, px);
    }

    void Contrast(byte[] px, ref DataRng rng)
    {
        if (rng.NextInt(2) == 1) Convert(px, rng.Uniform(ContrastLower, ContrastUpper), 0);
    }

    static void Convert(byte[] px, double alpha, double beta)
    {
        for (int i = 0; i < px.Length; i++) px[i] = Convert(px[i], alpha, beta);
    }

    /// <summary>mmseg convert: (img.astype(float32) * alpha + beta).clip(0, 255).astype(uint8), which truncates.</summary>
    public static byte Convert(byte v, double alpha, double beta) => (byte)Math.Clamp((float)(v * (float)alpha + (float)beta), 0f, 255f);

    delegate void HsEdit(ref byte h, ref byte s);

    static void MapHsv(byte[] px, HsEdit edit)
    {
        for (int i = 0; i < px.Length; i += 3)
        {
            var (h, s, v) = RgbToHsv(px[i], px[i + 1], px[i + 2]);
            edit(ref h, ref s);
            (px[i], px[i + 1], px[i + 2]) = HsvToRgb(h, s, v);
        }
    }

    /// <summary>OpenCV RGB2HSV for 8 bits: V = max, S = 255 (V - min) / V, H = hue in degrees / 2, rounded.</summary>
    public static (byte H, byte S, byte V) RgbToHsv(byte r, byte g, byte b)
    {
        int v = Math.Max(r, Math.Max(g, b)), min = Math.Min(r, Math.Min(g, b)), diff = v - min;
        int s = v == 0 ? 0 : (int)Math.Round(255.0 * diff / v, MidpointRounding.AwayFromZero);
        if (diff == 0) return (0, (byte)s, (byte)v);
        double h = v == r ? 60.0 * (g - b) / diff : v == g ? 120 + 60.0 * (b - r) / diff : 240 + 60.0 * (r - g) / diff;
        if (h < 0) h += 360;
        int hh = (int)Math.Round(h / 2, MidpointRounding.AwayFromZero);
        return ((byte)(hh >= 180 ? hh - 180 : hh), (byte)s, (byte)v);
    }

    /// <summary>OpenCV HSV2RGB for 8 bits: sector of H x 6/180, the four tabulated values, x255 rounded.</summary>
    public static (byte R, byte G, byte B) HsvToRgb(byte hb, byte sb, byte vb)
    {
        float v = vb / 255f, s = sb / 255f;
        if (sb == 0) { byte g = Round(v); return (g, g, g); }
        float h = hb * (6f / 180f);
        int sector = (int)MathF.Floor(h);
        h -= sector;
        if (sector is < 0 or >= 6) { sector = 0; h = 0; }
        Span<float> tab = stackalloc float[] { v, v * (1 - s), v * (1 - s * h), v * (1 - s * (1 - h)) };
        // OpenCV's sector_data gives (b, g, r) indices into tab.
        ReadOnlySpan<int> sectors = [1, 3, 0, 1, 0, 2, 3, 0, 1, 0, 2, 1, 0, 1, 3, 2, 1, 0];
        return (Round(tab[sectors[3 * sector + 2]]), Round(tab[sectors[3 * sector + 1]]), Round(tab[sectors[3 * sector]]));
    }

    static byte Round(float x) => (byte)Math.Clamp((int)MathF.Round(x * 255f, MidpointRounding.ToEven), 0, 255);
}
