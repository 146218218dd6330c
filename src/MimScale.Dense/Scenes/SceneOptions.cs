namespace MimScale.Dense.Scenes;

/// <summary>
/// How scenes are composed. Defaults: 2-6 items per canvas, item side 20-55% of the canvas side, foreground =
/// resized item intensity above 32 (of 255), JPEG quality 95.
/// </summary>
/// <param name="Size">Canvas side S in pixels (S x S RGB).</param>
/// <param name="MinItems">Fewest items per scene.</param>
/// <param name="MaxItems">Most items per scene.</param>
/// <param name="MinScale">Smallest item side as a fraction of <paramref name="Size"/>.</param>
/// <param name="MaxScale">Largest item side as a fraction of <paramref name="Size"/>.</param>
/// <param name="Threshold">An item pixel is foreground when its bilinearly resized intensity is greater than this.
/// 32 keeps Fashion-MNIST's faint anti-aliased rims out of the masks while keeping every garment's body.</param>
/// <param name="JpegQuality">Quality of the written <c>.jpg</c> images.</param>
public sealed record SceneOptions(
    int Size = 128,
    int MinItems = 2,
    int MaxItems = 6,
    double MinScale = 0.2,
    double MaxScale = 0.55,
    int Threshold = 32,
    int JpegQuality = 95)
{
    /// <summary>Checks the ranges; throws <see cref="ArgumentException"/> naming the bad setting.</summary>
    public SceneOptions Validated()
    {
        if (Size is < 16 or > 4096) throw new ArgumentException($"scene size must be in 16..4096 pixels, got {Size}");
        if (MinItems < 1 || MaxItems < MinItems) throw new ArgumentException($"items per scene must satisfy 1 <= min <= max, got {MinItems}..{MaxItems}");
        if (!(MinScale > 0) || MaxScale < MinScale || MaxScale > 1)
            throw new ArgumentException($"item scale must satisfy 0 < min <= max <= 1, got {MinScale}..{MaxScale}");
        if (Threshold is < 0 or > 254) throw new ArgumentException($"foreground threshold must be in 0..254, got {Threshold}");
        if (JpegQuality is < 1 or > 100) throw new ArgumentException($"JPEG quality must be in 1..100, got {JpegQuality}");
        return this;
    }

    /// <summary>Smallest item side in pixels (at least 4).</summary>
    public int MinSide => Math.Max(4, (int)Math.Round(MinScale * Size));
    /// <summary>Largest item side in pixels.</summary>
    public int MaxSide => Math.Max(MinSide, (int)Math.Round(MaxScale * Size));
}
