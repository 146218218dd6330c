using MimScale.Data.Random;
using MimScale.Data.Sources;

namespace MimScale.Data.Transforms;

/// <summary>
/// Fine-tuning training transform settings (SPEC §5.1, timm 0.4.12 as the official fine-tune code calls it):
/// RandomResizedCrop (0.08, 1) bicubic, flip 0.5, RandAugment m9 mstd 0.5, random erasing p 0.25 pixel mode.
/// Each part can be switched off.
/// </summary>
public sealed record FineTuneTransformConfig
{
    /// <summary>Output side (224).</summary>
    public int ImageSize { get; init; } = 224;
    /// <summary>Crop area fraction, lower end.</summary>
    public double ScaleMin { get; init; } = 0.08;
    /// <summary>Crop area fraction, upper end.</summary>
    public double ScaleMax { get; init; } = 1.0;
    /// <summary>Aspect ratio, lower end.</summary>
    public double RatioMin { get; init; } = 3.0 / 4.0;
    /// <summary>Aspect ratio, upper end.</summary>
    public double RatioMax { get; init; } = 4.0 / 3.0;
    /// <summary>Horizontal flip probability.</summary>
    public double FlipProbability { get; init; } = 0.5;
    /// <summary>Resampling filter (timm: bicubic).</summary>
    public Interpolation Interpolation { get; init; } = Interpolation.Bicubic;
    /// <summary>Apply RandAugment.</summary>
    public bool RandAugment { get; init; } = true;
    /// <summary>RandAugment mean magnitude.</summary>
    public double RandAugmentMagnitude { get; init; } = 9;
    /// <summary>RandAugment magnitude std.</summary>
    public double RandAugmentMagnitudeStd { get; init; } = 0.5;
    /// <summary>RandAugment ops per image.</summary>
    public int RandAugmentLayers { get; init; } = 2;
    /// <summary>Random erasing probability (0 = off).</summary>
    public double RandomErasingProbability { get; init; } = 0.25;
    /// <summary>Normalisation.</summary>
    public Normalization Normalization { get; init; } = Normalization.ImageNet;
}

/// <summary>
/// The fine-tuning training transform. Draws from stream (seed, Augment, epoch, position): crop, flip,
/// RandAugment, then random erasing on the normalised tensor (timm order).
/// </summary>
public sealed class FineTuneTransform : ISampleTransform
{
    /// <summary>Settings.</summary>
    public FineTuneTransformConfig Config { get; }
    private readonly RandAugment? randAugment;
    private readonly RandomErasing erasing;

    public FineTuneTransform(FineTuneTransformConfig? config = null)
    {
        Config = config ?? new FineTuneTransformConfig();
        if (Config.ImageSize <= 0) throw new ArgumentException($"ImageSize {Config.ImageSize} must be positive");
        randAugment = Config.RandAugment
            ? new RandAugment(Config.RandAugmentLayers, Config.RandAugmentMagnitude, Config.RandAugmentMagnitudeStd)
            : null;
        erasing = new RandomErasing(Config.RandomErasingProbability);
    }

    /// <inheritdoc />
    public int ImageSize => Config.ImageSize;
    /// <inheritdoc />
    public int MaskLength => 0;
    /// <inheritdoc />
    public int MaskSize => 0;

    /// <inheritdoc />
    public void Apply(DecodedImage image, in SampleContext context, Span<float> chw, Span<long> mask)
    {
        var rng = DataRng.For(context.Seed, RandomStream.Augment, context.Epoch, context.Position);
        var box = RandomResizedCrop.Sample(ref rng, image.Width, image.Height, Config.ScaleMin, Config.ScaleMax, Config.RatioMin, Config.RatioMax);
        bool flip = rng.Bernoulli(Config.FlipProbability);
        int s = Config.ImageSize;
        var x = AxisSpec.Crop(box.Left, box.Width, s);
        var y = AxisSpec.Crop(box.Top, box.Height, s);
        if (randAugment is null)
        {
            Resampler.ToNormalizedChw(image, x, y, Config.Interpolation, Config.Normalization, flip, chw);
        }
        else
        {
            // RandAugment works on 8-bit pictures (PIL in timm): resample to bytes, augment, then ToTensor+Normalize.
            var rgb = new byte[s * s * 3];
            Resampler.ToRgbBytes(image, x, y, Config.Interpolation, flip, rgb);
            randAugment.Apply(ref rng, rgb, s, s);
            PixelOps.RgbToTensorNormalize(rgb, s, s, Config.Normalization, chw);
        }
        erasing.Apply(ref rng, chw, s, s);
    }
}
