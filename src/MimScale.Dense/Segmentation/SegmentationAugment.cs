using MimScale.Data.Random;

namespace MimScale.Dense.Segmentation;

/// <summary>
/// The training transforms of mmseg's ADE20K pipeline (configs/_base_/datasets/ade20k.py), in its order:
/// <c>RandomResize(scale, ratio_range, keep_ratio=True)</c>, <c>RandomCrop(crop, cat_max_ratio)</c>,
/// <c>RandomFlip(prob)</c>, <c>PhotoMetricDistortion</c>. Normalisation and padding to the crop (image 0 after
/// normalisation, label 255) come after, in <see cref="SegmentationTensors"/> (mmseg's data preprocessor).
/// </summary>
/// <param name="Scale">Base scale (long cap, short target), e.g. (2048, 512).</param>
/// <param name="RatioMin">Lower end of the ratio range (0.5).</param>
/// <param name="RatioMax">Upper end of the ratio range (2.0).</param>
/// <param name="CropHeight">Crop height (512).</param>
/// <param name="CropWidth">Crop width (512).</param>
/// <param name="CatMaxRatio">Maximum share of one class in a crop (0.75; 1 = no test).</param>
/// <param name="FlipProbability">Horizontal flip probability (0.5).</param>
/// <param name="Photometric">The photometric distortion, or null for none.</param>
public sealed record SegmentationAugment((int A, int B) Scale, double RatioMin, double RatioMax, int CropHeight, int CropWidth,
    double CatMaxRatio, double FlipProbability, PhotometricDistortion? Photometric)
{
    /// <summary>Transforms one pair; all draws come from <paramref name="rng"/> (one stream per sample).</summary>
    public (RgbImage Image, LabelMap Label) Apply(RgbImage image, LabelMap label, ref DataRng rng)
    {
        if (image.Width != label.Width || image.Height != label.Height)
            throw new ArgumentException($"image {image.Width}x{image.Height} and label {label.Width}x{label.Height} differ in size");
        // RandomResize: ratio ~ U(min, max), scale x ratio, keep-ratio rescale; image bilinear, label nearest.
        var scale = ScaleRule.Jitter(Scale, rng.Uniform(RatioMin, RatioMax));
        var (w, h) = ScaleRule.Rescale(image.Width, image.Height, scale);
        image = image.ResizeBilinear(w, h);
        label = label.ResizeNearest(w, h);

        var (y1, y2, x1, x2) = CropBox(label, ref rng);
        image = image.Crop(y1, y2, x1, x2);
        label = label.Crop(y1, y2, x1, x2);

        if (rng.Bernoulli(FlipProbability)) { image = image.FlipHorizontal(); label = label.FlipHorizontal(); }
        if (Photometric is not null) image = Photometric.Apply(image, ref rng);
        return (image, label);
    }

    /// <summary>
    /// mmseg RandomCrop.crop_bbox: a uniform offset in [0, margin]; with cat_max_ratio &lt; 1 up to 10 redraws while
    /// the crop fails the class-share test (the 10th redraw is kept untested, as mmseg does).
    /// </summary>
    internal (int Y1, int Y2, int X1, int X2) CropBox(LabelMap label, ref DataRng rng)
    {
        var box = Draw(label.Width, label.Height, ref rng);
        if (CatMaxRatio < 1)
            for (int i = 0; i < 10; i++)
            {
                if (label.Crop(box.Y1, box.Y2, box.X1, box.X2).PassesCategoryRatio(CatMaxRatio)) break;
                box = Draw(label.Width, label.Height, ref rng);
            }
        return box;
    }

    (int Y1, int Y2, int X1, int X2) Draw(int width, int height, ref DataRng rng)
    {
        int marginH = Math.Max(height - CropHeight, 0), marginW = Math.Max(width - CropWidth, 0);
        int oy = rng.NextInt(marginH + 1), ox = rng.NextInt(marginW + 1);
        // numpy slicing clips at the border: a crop larger than the image is the image.
        return (oy, Math.Min(oy + CropHeight, height), ox, Math.Min(ox + CropWidth, width));
    }
}
