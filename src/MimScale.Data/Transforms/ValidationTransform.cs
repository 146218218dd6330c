using MimScale.Data.Masking;
using MimScale.Data.Random;
using MimScale.Data.Sources;

namespace MimScale.Data.Transforms;

/// <summary>
/// Deterministic evaluation geometry: resize the shorter side to <see cref="ResizeSize"/> (torchvision Resize(int)),
/// centre-crop <see cref="ImageSize"/>, ToTensor, Normalize.
/// </summary>
public sealed record CentreCropConfig
{
    /// <summary>Output side.</summary>
    public int ImageSize { get; init; } = 192;
    /// <summary>
    /// Shorter side after resizing. Default 219 = int(192 * 256/224), the usual crop fraction 0.875 (a choice: the
    /// official code has no validation transform for pre-training, SPEC §8).
    /// </summary>
    public int ResizeSize { get; init; } = 219;
    /// <summary>Resampling filter.</summary>
    public Interpolation Interpolation { get; init; } = Interpolation.Bilinear;
    /// <summary>Normalisation.</summary>
    public Normalization Normalization { get; init; } = Normalization.ImageNet;

    /// <summary>The fine-tuning evaluation transform: Resize 256 bicubic, CentreCrop 224 (SPEC §5.1).</summary>
    public static CentreCropConfig FineTuneEval { get; } = new() { ImageSize = 224, ResizeSize = 256, Interpolation = Interpolation.Bicubic };

    /// <summary>Throws on inconsistent sizes.</summary>
    public void Validate()
    {
        if (ImageSize <= 0 || ResizeSize < ImageSize) throw new ArgumentException($"need 0 < ImageSize ({ImageSize}) <= ResizeSize ({ResizeSize})");
    }
}

/// <summary>
/// Validation transform for the MIM loss (SPEC §8, a documented choice): deterministic resize + centre crop, and a
/// FIXED mask per image from the stream (MaskSeed, ValidationMask, image index), independent of the training seed,
/// epoch and batch composition, so validation losses compare across runs and checkpoints. Without a mask generator
/// it is the plain evaluation transform (fine-tuning: <see cref="CentreCropConfig.FineTuneEval"/>).
/// </summary>
public sealed class ValidationTransform : ISampleTransform
{
    /// <summary>Geometry settings.</summary>
    public CentreCropConfig Config { get; }
    /// <summary>Mask generator, or null for no masks.</summary>
    public MaskGenerator? Masks { get; }
    /// <summary>Seed of the fixed validation masks.</summary>
    public ulong MaskSeed { get; }
    /// <inheritdoc />
    public int ImageSize => Config.ImageSize;
    /// <inheritdoc />
    public int MaskLength => Masks?.OutputLength ?? 0;
    /// <inheritdoc />
    public int MaskSize => Masks?.OutputSize ?? 0;

    /// <summary>Builds the transform; masks use the same generator settings as pre-training.</summary>
    public ValidationTransform(CentreCropConfig? config = null, MaskGenerator? masks = null, ulong maskSeed = 0)
    {
        Config = config ?? new CentreCropConfig();
        Config.Validate();
        if (masks is not null && masks.InputSize != Config.ImageSize)
            throw new ArgumentException($"mask generator input {masks.InputSize} differs from the image size {Config.ImageSize}");
        Masks = masks;
        MaskSeed = maskSeed;
    }

    /// <summary>Validation for SimMIM with the pre-training mask settings of <paramref name="pretrain"/>.</summary>
    public static ValidationTransform ForSimMim(SimMimTransformConfig pretrain, ulong maskSeed = 0, int? resizeSize = null) =>
        new(new CentreCropConfig
        {
            ImageSize = pretrain.ImageSize,
            ResizeSize = resizeSize ?? pretrain.ImageSize * 256 / 224,
            Interpolation = pretrain.Interpolation,
            Normalization = pretrain.Normalization,
        }, new MaskGenerator(pretrain.ImageSize, pretrain.ModelPatchSize, pretrain.Masks), maskSeed);

    /// <summary>The fixed mask of validation image <paramref name="imageIndex"/>.</summary>
    public void FixedMask(int imageIndex, Span<long> mask)
    {
        if (Masks is null) throw new InvalidOperationException("this validation transform has no mask generator");
        var rng = DataRng.For(MaskSeed, RandomStream.ValidationMask, imageIndex);
        Masks.Generate(ref rng, mask);
    }

    /// <inheritdoc />
    public void Apply(DecodedImage image, in SampleContext context, Span<float> chw, Span<long> mask)
    {
        int s = Config.ImageSize;
        var (rw, rh, left, top) = RandomResizedCrop.ResizeThenCentreCrop(image.Width, image.Height, Config.ResizeSize, s);
        Resampler.ToNormalizedChw(image, AxisSpec.ResizeThenCrop(image.Width, rw, left, s), AxisSpec.ResizeThenCrop(image.Height, rh, top, s),
            Config.Interpolation, Config.Normalization, flip: false, chw);
        if (Masks is not null) FixedMask(context.SourceIndex, mask);
    }
}
