using MimScale.Data.Random;

namespace MimScale.Data.Transforms;

/// <summary>
/// The crop sampling of torchvision's <c>RandomResizedCrop.get_params</c> (and timm's identical
/// <c>RandomResizedCropAndInterpolation</c>): up to 10 tries of area = U(scale) * W*H and a log-uniform aspect ratio,
/// w = round(sqrt(area*r)), h = round(sqrt(area/r)) (Python round: halves to even), accepted when 0 &lt; w &lt;= W and
/// 0 &lt; h &lt;= H, with the corner uniform; otherwise a centred crop of the whole image clamped to the ratio range.
/// </summary>
public static class RandomResizedCrop
{
    /// <summary>Samples one crop box of a <paramref name="width"/> x <paramref name="height"/> image.</summary>
    public static CropBox Sample(ref DataRng rng, int width, int height, double scaleMin, double scaleMax, double ratioMin, double ratioMax)
    {
        double area = (double)width * height;
        double logMin = Math.Log(ratioMin), logMax = Math.Log(ratioMax);
        for (int attempt = 0; attempt < 10; attempt++)
        {
            double target = area * rng.Uniform(scaleMin, scaleMax);
            double aspect = Math.Exp(rng.Uniform(logMin, logMax));
            int w = (int)Math.Round(Math.Sqrt(target * aspect), MidpointRounding.ToEven);
            int h = (int)Math.Round(Math.Sqrt(target / aspect), MidpointRounding.ToEven);
            if (w > 0 && w <= width && h > 0 && h <= height)
            {
                int top = rng.NextInt(height - h + 1);
                int left = rng.NextInt(width - w + 1);
                return new CropBox(top, left, h, w);
            }
        }
        return CentreFallback(width, height, ratioMin, ratioMax);
    }

    /// <summary>The fallback: the whole image, cropped to the nearest allowed aspect ratio, centred.</summary>
    public static CropBox CentreFallback(int width, int height, double ratioMin, double ratioMax)
    {
        double inRatio = (double)width / height;
        int w, h;
        if (inRatio < Math.Min(ratioMin, ratioMax))
        {
            w = width;
            h = (int)Math.Round(w / Math.Min(ratioMin, ratioMax), MidpointRounding.ToEven);
        }
        else if (inRatio > Math.Max(ratioMin, ratioMax))
        {
            h = height;
            w = (int)Math.Round(h * Math.Max(ratioMin, ratioMax), MidpointRounding.ToEven);
        }
        else
        {
            w = width;
            h = height;
        }
        return new CropBox((height - h) / 2, (width - w) / 2, h, w);
    }

    /// <summary>
    /// torchvision Resize(int) + CenterCrop: the shorter side becomes <paramref name="resize"/>, the longer
    /// int(resize * long / short); then the crop offset is round((resized - crop) / 2) (halves to even).
    /// Returns the resized size and the crop offset in resized coordinates.
    /// </summary>
    public static (int ResizedW, int ResizedH, int Left, int Top) ResizeThenCentreCrop(int width, int height, int resize, int crop)
    {
        int rw, rh;
        if (width <= height)
        {
            rw = resize;
            rh = (int)((long)resize * height / width);
        }
        else
        {
            rh = resize;
            rw = (int)((long)resize * width / height);
        }
        if (crop > rw || crop > rh) throw new ArgumentException($"centre crop {crop} is larger than the resized image {rw}x{rh}");
        int left = (int)Math.Round((rw - crop) / 2.0, MidpointRounding.ToEven);
        int top = (int)Math.Round((rh - crop) / 2.0, MidpointRounding.ToEven);
        return (rw, rh, left, top);
    }
}
