using MimScale.Data.Random;

namespace MimScale.Dense.Scenes;

/// <summary>
/// Seeded textured backgrounds, so a segmenter has to learn the items' shapes rather than "anything not flat":
/// smooth colour noise (value noise on a coarse grid, smoothstep-interpolated), soft stripes at a random angle and
/// period, or both blended; plus a little per-pixel grain.
/// </summary>
public static class SceneBackground
{
    /// <summary>Fills <paramref name="rgb"/> (size*size*3) with a background drawn from <paramref name="rng"/>.</summary>
    public static void Render(ref DataRng rng, byte[] rgb, int size)
    {
        var a = new double[size * size * 3];
        var b = new double[size * size * 3];
        int kind = rng.NextInt(3); // 0 noise, 1 stripes, 2 both
        if (kind != 1) Noise(ref rng, a, size);
        if (kind != 0) Stripes(ref rng, kind == 1 ? a : b, size);
        double mix = kind == 2 ? rng.Uniform(0.3, 0.7) : 1.0;
        for (int i = 0; i < rgb.Length; i++)
        {
            double v = mix * a[i] + (1 - mix) * b[i] + rng.Uniform(-8, 8); // grain
            rgb[i] = (byte)Math.Clamp(Math.Round(v), 0, 255);
        }
    }

    /// <summary>Value noise: random colours on a (g+1)x(g+1) grid, interpolated with smoothstep weights.</summary>
    private static void Noise(ref DataRng rng, double[] dst, int size)
    {
        int g = 2 + rng.NextInt(6);
        var grid = new double[(g + 1) * (g + 1) * 3];
        for (int i = 0; i < grid.Length; i++) grid[i] = rng.Uniform(0, 255);
        for (int y = 0; y < size; y++)
        {
            double gy = (double)y / size * g;
            int y0 = (int)gy;
            double ty = Smooth(gy - y0);
            for (int x = 0; x < size; x++)
            {
                double gx = (double)x / size * g;
                int x0 = (int)gx;
                double tx = Smooth(gx - x0);
                for (int c = 0; c < 3; c++)
                {
                    double v00 = grid[(y0 * (g + 1) + x0) * 3 + c], v01 = grid[(y0 * (g + 1) + x0 + 1) * 3 + c];
                    double v10 = grid[((y0 + 1) * (g + 1) + x0) * 3 + c], v11 = grid[((y0 + 1) * (g + 1) + x0 + 1) * 3 + c];
                    double top = v00 + (v01 - v00) * tx, bottom = v10 + (v11 - v10) * tx;
                    dst[(y * size + x) * 3 + c] = top + (bottom - top) * ty;
                }
            }
        }
    }

    /// <summary>Two colours alternating along a random direction with a sinusoidal profile, period 6-30 px.</summary>
    private static void Stripes(ref DataRng rng, double[] dst, int size)
    {
        double angle = rng.Uniform(0, Math.PI), period = rng.Uniform(6, 30), phase = rng.Uniform(0, 2 * Math.PI);
        double sharp = rng.Uniform(1, 4); // >1 flattens the sine towards square stripes
        var c1 = new[] { rng.Uniform(0, 255), rng.Uniform(0, 255), rng.Uniform(0, 255) };
        var c2 = new[] { rng.Uniform(0, 255), rng.Uniform(0, 255), rng.Uniform(0, 255) };
        double dx = Math.Cos(angle), dy = Math.Sin(angle);
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
            {
                double s = Math.Sin(2 * Math.PI * (x * dx + y * dy) / period + phase);
                double t = 0.5 + 0.5 * Math.Clamp(s * sharp, -1, 1);
                for (int c = 0; c < 3; c++) dst[(y * size + x) * 3 + c] = c1[c] + (c2[c] - c1[c]) * t;
            }
    }

    private static double Smooth(double t) => t * t * (3 - 2 * t);
}
