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

/// <summary>
/// A SimMIM model: the encoder's constructor arguments plus the SimMIM ones. The mask ratio and mask patch are not
/// here: the model reads only the masks, the data side draws them (MimScale.Data.Masking.MaskSettings).
/// </summary>
public sealed record SimMimOptions
{
    /// <summary>Encoder arguments; num_classes is ignored (the encoder has no head).</summary>
    public SwinV2Options Encoder { get; init; } = new();
    /// <summary>Total downsampling of the encoder: patch_size * 2^(stages-1) (32 for the official SwinV2).</summary>
    public int EncoderStride => Encoder.PatchSize << (Encoder.NumLayers - 1);
    /// <summary>Sliding window of the normalised targets (odd); 0 = raw (normalised) pixels.</summary>
    public int NormTargetWindow { get; init; } = 47;
    public DecoderKind Decoder { get; init; } = DecoderKind.Linear;
    /// <summary>Blocks of the transformer decoder (ignored for the linear one).</summary>
    public int DecoderDepth { get; init; } = 2;

    public SimMimOptions Validate()
    {
        var e = Encoder with { NumClasses = 0 };
        e.Validate();
        if (NormTargetWindow != 0 && (NormTargetWindow < 3 || NormTargetWindow % 2 == 0))
            throw new ArgumentException($"norm_target_window must be 0 (off) or an odd number >= 3, got {NormTargetWindow}");
        if (Decoder == DecoderKind.Transformer && DecoderDepth < 1)
            throw new ArgumentException($"a transformer decoder needs decoder_depth >= 1, got {DecoderDepth}");
        return this;
    }
}
