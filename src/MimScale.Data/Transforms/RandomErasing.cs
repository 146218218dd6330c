using MimScale.Data.Random;

namespace MimScale.Data.Transforms;

/// <summary>
/// timm's RandomErasing, mode 'pixel', one region (Zhong et al. 2017): with probability p, up to 10 tries of
/// area U(0.02, 1/3) * A and log-uniform aspect in [0.3, 1/0.3]; h = round(sqrt(area * r)), w = round(sqrt(area / r));
/// accepted when w &lt; W and h &lt; H; the region gets independent N(0, 1) values per pixel and channel
/// (the tensor is already normalised).
/// </summary>
public sealed class RandomErasing(double probability = 0.25, double minArea = 0.02, double maxArea = 1.0 / 3.0, double minAspect = 0.3)
{
    /// <summary>Probability of erasing.</summary>
    public double Probability { get; } = probability;

    /// <summary>Erases in place; returns the region or null.</summary>
    public CropBox? Apply(ref DataRng rng, Span<float> chw, int width, int height)
    {
        if (Probability <= 0 || !rng.Bernoulli(Probability)) return null;
        double area = (double)width * height, logMin = Math.Log(minAspect), logMax = Math.Log(1 / minAspect);
        for (int attempt = 0; attempt < 10; attempt++)
        {
            double target = rng.Uniform(minArea, maxArea) * area;
            double aspect = Math.Exp(rng.Uniform(logMin, logMax));
            int h = (int)Math.Round(Math.Sqrt(target * aspect), MidpointRounding.ToEven);
            int w = (int)Math.Round(Math.Sqrt(target / aspect), MidpointRounding.ToEven);
            if (w < width && h < height)
            {
                int top = rng.NextIntInclusive(0, height - h), left = rng.NextIntInclusive(0, width - w);
                for (int c = 0; c < 3; c++)
                    for (int y = top; y < top + h; y++)
                    {
                        var row = chw.Slice(c * width * height + y * width + left, w);
                        for (int x = 0; x < w; x++) row[x] = (float)rng.Normal();
                    }
                return new CropBox(top, left, h, w);
            }
        }
        return null;
    }
}
