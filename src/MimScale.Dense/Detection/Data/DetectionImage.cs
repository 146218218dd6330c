using MimScale.Dense.Coco;

namespace MimScale.Dense.Detection.Data;

/// <summary>
/// One image with its instances, held in memory: RGB bytes (row-major, 3 per pixel) and, per non-crowd instance, its
/// 0-based class index and row-major 0/1 mask at the image's size.
/// </summary>
/// <param name="Info">The COCO image entry (id, size, file).</param>
/// <param name="Rgb">Height·Width·3 bytes.</param>
/// <param name="Labels">Class index of each instance (position of its category in the file's category list).</param>
/// <param name="Masks">Height·Width bytes per instance, 1 = object.</param>
public sealed record DetectionImage(CocoImage Info, byte[] Rgb, int[] Labels, byte[][] Masks)
{
    /// <summary>Height in pixels.</summary>
    public int Height => Info.Height;
    /// <summary>Width in pixels.</summary>
    public int Width => Info.Width;
}
