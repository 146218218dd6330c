using MimScale.Models.SwinV2;

namespace MimScale.Models.SimMim;

/// <summary>Which decoder reconstructs the pixels.</summary>
public enum DecoderKind
{
    /// <summary>The official linear head: 1x1 conv to stride^2*3 channels + pixel shuffle.</summary>
    Linear,
    /// <summary>
    /// MimScale's heavier decoder for the paper's decoder-size study: k SwinV2 blocks (res-post-norm, one window over
    /// the whole final grid, num_features wide, final-stage heads) on the encoder's final tokens, then the linear head.
    /// </summary>
    Transformer,
}

/// <summary>A SimMIM model: the encoder's constructor arguments plus the SimMIM ones.</summary>
public sealed record SimMimOptions
{
    /// <summary>Encoder arguments; num_classes is ignored (the encoder has no head).</summary>
    public SwinV2Options Encoder { get; init; } = new();
    /// <summary>Total downsampling of the encoder: patch_size * 2^(stages-1) (32 for the official SwinV2).</summary>
    public int EncoderStride => Encoder.PatchSize << (Encoder.NumLayers - 1);
    public int MaskPatchSize { get; init; } = 32;
    public double MaskRatio { get; init; } = 0.6;
    /// <summary>Sliding window of the normalised targets (odd); 0 = raw (normalised) pixels.</summary>
    public int NormTargetWindow { get; init; } = 47;
    public DecoderKind Decoder { get; init; } = DecoderKind.Linear;
    /// <summary>Blocks of the transformer decoder (ignored for the linear one).</summary>
    public int DecoderDepth { get; init; } = 2;

    public SimMimOptions Validate()
    {
        var e = Encoder with { NumClasses = 0 };
        e.Validate();
        if (MaskPatchSize <= 0 || e.ImgSize[0] % MaskPatchSize != 0 || e.ImgSize[1] % MaskPatchSize != 0)
            throw new ArgumentException($"img_size {e.ImgSize[0]}x{e.ImgSize[1]} is not divisible by mask_patch_size {MaskPatchSize}");
        if (MaskPatchSize % e.PatchSize != 0)
            throw new ArgumentException($"mask_patch_size {MaskPatchSize} is not a multiple of the model patch_size {e.PatchSize}");
        if (MaskRatio <= 0 || MaskRatio >= 1) throw new ArgumentException($"mask_ratio must be in (0, 1), got {MaskRatio}");
        if (NormTargetWindow != 0 && (NormTargetWindow < 3 || NormTargetWindow % 2 == 0))
            throw new ArgumentException($"norm_target_window must be 0 (off) or an odd number >= 3, got {NormTargetWindow}");
        if (Decoder == DecoderKind.Transformer && DecoderDepth < 1)
            throw new ArgumentException($"a transformer decoder needs decoder_depth >= 1, got {DecoderDepth}");
        return this;
    }
}
