namespace MimScale.Data.Masking;

/// <summary>
/// SimMIM's masking (SPEC §3.1; YAML keys <c>mask_ratio</c> and <c>mask_patch_size</c>): the fraction of mask patches
/// masked and the side of one mask patch in pixels. Data-side settings: the mask generator reads them, the model only
/// sees the masks. Every check of a mask setting is in this type: the constructor checks the values themselves,
/// <see cref="CheckFits"/> checks them against an image and its model patches (called by <see cref="MaskGenerator"/>).
/// </summary>
public sealed record MaskSettings
{
    /// <summary>The paper's masking ratio (SPEC §3.1).</summary>
    public const double PaperRatio = 0.6;
    /// <summary>The official swinv2 SimMIM mask patch at 192 px (SPEC §3.1).</summary>
    public const int PaperPatchSize = 32;

    /// <summary>Fraction of mask patches masked, in (0, 1).</summary>
    public double Ratio { get; }
    /// <summary>Side of one mask patch in pixels.</summary>
    public int PatchSize { get; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the YAML key of a value out of range.</summary>
    public MaskSettings(double ratio = PaperRatio, int patchSize = PaperPatchSize)
    {
        // The official config asserts nothing; a ratio of 0 or 1 leaves SimMIM's loss without masked or visible pixels.
        if (!(ratio > 0 && ratio < 1)) throw new ArgumentException($"mask_ratio must be in (0, 1), got {ratio}");
        if (patchSize <= 0) throw new ArgumentException($"mask_patch_size must be positive, got {patchSize}");
        Ratio = ratio;
        PatchSize = patchSize;
    }

    /// <summary>
    /// Throws <see cref="ArgumentException"/> unless the mask patches tile an image of <paramref name="imageSize"/> px
    /// (one side) and each covers whole model patches of <paramref name="modelPatchSize"/> px (official
    /// <c>MaskGenerator</c> asserts both).
    /// </summary>
    public void CheckFits(int imageSize, int modelPatchSize)
    {
        if (imageSize <= 0 || modelPatchSize <= 0)
            throw new ArgumentException($"img_size ({imageSize}) and the model patch_size ({modelPatchSize}) must be positive");
        if (imageSize % PatchSize != 0) throw new ArgumentException($"img_size {imageSize} is not divisible by mask_patch_size {PatchSize}");
        if (PatchSize % modelPatchSize != 0)
            throw new ArgumentException($"mask_patch_size {PatchSize} is not a multiple of the model patch_size {modelPatchSize}");
    }
}
