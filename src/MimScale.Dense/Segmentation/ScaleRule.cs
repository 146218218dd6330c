namespace MimScale.Dense.Segmentation;

/// <summary>
/// mmcv's keep-ratio rescale (<c>mmcv.imrescale</c> / <c>rescale_size</c>), which mmseg's <c>Resize(scale=(2048, 512),
/// keep_ratio=True)</c> and <c>RandomResize</c> use: the factor is min(long_max / long side, short_max / short side),
/// so the short side reaches short_max unless the long side would pass long_max; each side is int(side x factor + 0.5).
/// </summary>
public static class ScaleRule
{
    /// <param name="width">Image width.</param>
    /// <param name="height">Image height.</param>
    /// <param name="scale">(a, b): the larger is the long-side cap, the smaller the short-side target.</param>
    /// <returns>(width, height) after the rescale.</returns>
    public static (int Width, int Height) Rescale(int width, int height, (int A, int B) scale)
    {
        if (width <= 0 || height <= 0) throw new ArgumentException($"image size must be positive, got {width}x{height}");
        double longMax = Math.Max(scale.A, scale.B), shortMax = Math.Min(scale.A, scale.B);
        if (shortMax <= 0) throw new ArgumentException($"scale ({scale.A}, {scale.B}) must be positive");
        double factor = Math.Min(longMax / Math.Max(width, height), shortMax / Math.Min(width, height));
        return (Math.Max(1, (int)(width * factor + 0.5)), Math.Max(1, (int)(height * factor + 0.5)));
    }

    /// <summary>mmcv RandomResize with a ratio range: the scale times the drawn ratio, each side truncated (int()).</summary>
    public static (int A, int B) Jitter((int A, int B) scale, double ratio) => ((int)(scale.A * ratio), (int)(scale.B * ratio));
}
