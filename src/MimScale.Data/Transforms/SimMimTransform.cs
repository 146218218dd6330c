using MimScale.Data.Masking;
using MimScale.Data.Random;
using MimScale.Data.Sources;

namespace MimScale.Data.Transforms;

/// <summary>
/// SimMIM pre-training transform settings (SPEC §3.6; paper: crop scale [0.67, 1], ratio [3/4, 4/3], flip 0.5,
/// input 192, mask patch 32, model patch 4, mask ratio 0.6).
/// </summary>
public sealed record SimMimTransformConfig
{
    /// <summary>Output side (192 in the paper).</summary>
    public int ImageSize { get; init; } = 192;
    /// <summary>RandomResizedCrop area fraction range.</summary>
    public double ScaleMin { get; init; } = 0.67;
    /// <summary>Upper end of the area fraction range.</summary>
    public double ScaleMax { get; init; } = 1.0;
    /// <summary>Aspect ratio range, lower end.</summary>
    public double RatioMin { get; init; } = 3.0 / 4.0;
    /// <summary>Aspect ratio range, upper end.</summary>
    public double RatioMax { get; init; } = 4.0 / 3.0;
    /// <summary>Horizontal flip probability.</summary>
    public double FlipProbability { get; init; } = 0.5;
    /// <summary>Resampling filter (torchvision default: bilinear).</summary>
    public Interpolation Interpolation { get; init; } = Interpolation.Bilinear;
    /// <summary>Normalisation (ImageNet by default).</summary>
    public Normalization Normalization { get; init; } = Normalization.ImageNet;
    /// <summary>Model (token) patch side in pixels.</summary>
    public int ModelPatchSize { get; init; } = 4;
    /// <summary>Mask ratio and mask patch side (the paper's 0.6 and 32 px by default).</summary>
    public MaskSettings Masks { get; init; } = new();

    /// <summary>Throws <see cref="ArgumentException"/> on an inconsistent setting.</summary>
    public void Validate()
    {
        if (ImageSize <= 0) throw new ArgumentException($"ImageSize {ImageSize} must be positive");
        if (!(ScaleMin > 0 && ScaleMin <= ScaleMax && ScaleMax <= 1)) throw new ArgumentException($"scale range [{ScaleMin}, {ScaleMax}] must satisfy 0 < min <= max <= 1");
        if (!(RatioMin > 0 && RatioMin <= RatioMax)) throw new ArgumentException($"ratio range [{RatioMin}, {RatioMax}] must satisfy 0 < min <= max");
        if (!(FlipProbability >= 0 && FlipProbability <= 1)) throw new ArgumentException($"flip probability {FlipProbability} must be in [0, 1]");
        Masks.CheckFits(ImageSize, ModelPatchSize);
    }
}

/// <summary>
/// The SimMIM pre-training transform: RandomResizedCrop (torchvision sampling, bilinear), horizontal flip,
/// ToTensor, Normalize, plus the mask of <see cref="MaskGenerator"/>. Draws: augmentation from stream
/// (seed, Augment, epoch, position), mask from (seed, Mask, epoch, position).
/// </summary>
public sealed class SimMimTransform : ISampleTransform
{
    /// <summary>The settings.</summary>
    public SimMimTransformConfig Config { get; }
    /// <summary>The mask generator built from the settings.</summary>
    public MaskGenerator Masks { get; }
    /// <inheritdoc />
    public int ImageSize => Config.ImageSize;
    /// <inheritdoc />
    public int MaskLength => Masks.OutputLength;
    /// <inheritdoc />
    public int MaskSize => Masks.OutputSize;

    /// <summary>Validates and builds the transform.</summary>
    public SimMimTransform(SimMimTransformConfig? config = null)
    {
        Config = config ?? new SimMimTransformConfig();
        Config.Validate();
        Masks = new MaskGenerator(Config.ImageSize, Config.ModelPatchSize, Config.Masks);
    }

    /// <inheritdoc />
    public void Apply(DecodedImage image, in SampleContext context, Span<float> chw, Span<long> mask)
    {
        var aug = DataRng.For(context.Seed, RandomStream.Augment, context.Epoch, context.Position);
        var box = RandomResizedCrop.Sample(ref aug, image.Width, image.Height, Config.ScaleMin, Config.ScaleMax, Config.RatioMin, Config.RatioMax);
        bool flip = aug.Bernoulli(Config.FlipProbability);
        int s = Config.ImageSize;
        Resampler.ToNormalizedChw(image, AxisSpec.Crop(box.Left, box.Width, s), AxisSpec.Crop(box.Top, box.Height, s),
            Config.Interpolation, Config.Normalization, flip, chw);
        var maskRng = DataRng.For(context.Seed, RandomStream.Mask, context.Epoch, context.Position);
        Masks.Generate(ref maskRng, mask);
    }
}
