using System.Text.Json.Serialization;

namespace MimScale.Models.SwinV2;

/// <summary>
/// Every argument of the official <c>SwinTransformerV2</c> constructor (microsoft/Swin-Transformer,
/// models/swin_transformer_v2.py), with the official defaults. Immutable; <see cref="Validate"/> is the one place
/// where impossible combinations are rejected.
/// </summary>
public sealed record SwinV2Options
{
    /// <summary>Input height and width (the official code asserts the input equals this exactly).</summary>
    public int[] ImgSize { get; init; } = { 224, 224 };
    public int PatchSize { get; init; } = 4;
    public int InChans { get; init; } = 3;
    /// <summary>0 = no classification head (encoder only).</summary>
    public int NumClasses { get; init; } = 1000;
    public int EmbedDim { get; init; } = 96;
    public int[] Depths { get; init; } = { 2, 2, 6, 2 };
    public int[] NumHeads { get; init; } = { 3, 6, 12, 24 };
    public int WindowSize { get; init; } = 7;
    public double MlpRatio { get; init; } = 4.0;
    public bool QkvBias { get; init; } = true;
    public double DropRate { get; init; }
    public double AttnDropRate { get; init; }
    public double DropPathRate { get; init; } = 0.1;
    /// <summary>Absolute position embedding (off in every SwinV2 config).</summary>
    public bool Ape { get; init; }
    public bool PatchNorm { get; init; } = true;
    /// <summary>Window size each stage was pre-trained with (0 = none); normalises the position-bias coordinates.</summary>
    public int[] PretrainedWindowSizes { get; init; } = { 0, 0, 0, 0 };
    /// <summary>
    /// Activation checkpointing per block (official <c>use_checkpoint</c>): a training forward keeps only each block's
    /// input and recomputes the block in backward, trading compute for memory. Results are unchanged (the recomputation
    /// replays the drop-path and dropout randomness, <see cref="BlockCheckpoint"/>). Not serialised to JSON: resolved
    /// configs are hashed to identify a run, and a memory switch must not make a run another one.
    /// </summary>
    [JsonIgnore]
    public bool UseCheckpoint { get; init; }

    public int NumLayers => Depths.Length;
    /// <summary>Channels after the last stage: embed_dim * 2^(stages-1).</summary>
    public int NumFeatures => EmbedDim << (NumLayers - 1);
    /// <summary>Token grid after patch embedding, (H/patch, W/patch).</summary>
    public (int H, int W) PatchesResolution => (ImgSize[0] / PatchSize, ImgSize[1] / PatchSize);

    /// <summary>Token grid entering stage <paramref name="i"/>.</summary>
    public (int H, int W) StageResolution(int i) => (PatchesResolution.H >> i, PatchesResolution.W >> i);

    /// <summary>Stochastic depth per block in global order: linspace(0, drop_path_rate, sum(depths)) (official).</summary>
    public double[] DropPathRates()
    {
        int total = Depths.Sum();
        return Enumerable.Range(0, total).Select(i => total == 1 ? 0 : DropPathRate * i / (total - 1)).ToArray();
    }

    /// <summary>
    /// The window and shift a block really uses. Official rule: if the stage grid is not larger than the window,
    /// the window shrinks to the grid and there is no shift; otherwise odd blocks shift by window/2.
    /// </summary>
    public (int Window, int Shift) EffectiveWindow(int stage, int block)
    {
        var (h, w) = StageResolution(stage);
        int window = WindowSize, shift = block % 2 == 0 ? 0 : WindowSize / 2;
        if (Math.Min(h, w) <= window) { window = Math.Min(h, w); shift = 0; }
        return (window, shift);
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first impossible setting.</summary>
    public SwinV2Options Validate()
    {
        if (ImgSize is not { Length: 2 } || ImgSize[0] <= 0 || ImgSize[1] <= 0)
            throw new ArgumentException($"img_size must be a positive int or [H, W], got [{string.Join(", ", ImgSize ?? Array.Empty<int>())}]");
        if (PatchSize <= 0 || ImgSize[0] % PatchSize != 0 || ImgSize[1] % PatchSize != 0)
            throw new ArgumentException($"img_size {ImgSize[0]}x{ImgSize[1]} is not divisible by patch_size {PatchSize}");
        if (Depths.Length == 0 || Depths.Length != NumHeads.Length)
            throw new ArgumentException($"depths ({Depths.Length} stages) and num_heads ({NumHeads.Length}) must have the same, non-zero length");
        if (PretrainedWindowSizes.Length != Depths.Length)
            throw new ArgumentException($"pretrained_window_sizes needs one entry per stage ({Depths.Length}), got {PretrainedWindowSizes.Length}");
        if (EmbedDim <= 0 || InChans <= 0 || WindowSize <= 0 || MlpRatio <= 0 || NumClasses < 0)
            throw new ArgumentException("embed_dim, in_chans, window_size and mlp_ratio must be positive and num_classes >= 0");
        foreach (var (p, name) in new[] { (DropRate, "drop_rate"), (AttnDropRate, "attn_drop_rate"), (DropPathRate, "drop_path_rate") })
            if (p < 0 || p >= 1) throw new ArgumentException($"{name} must be in [0, 1), got {p}");
        for (int i = 0; i < NumLayers; i++)
        {
            var (h, w) = StageResolution(i);
            int dim = EmbedDim << i;
            if (h < 1 || w < 1 || (i < NumLayers - 1 && (h % 2 != 0 || w % 2 != 0)))
                throw new ArgumentException($"stage {i} token grid {h}x{w} cannot be halved by patch merging (img_size / patch_size must be divisible by 2^{NumLayers - 1})");
            if (NumHeads[i] <= 0 || dim % NumHeads[i] != 0)
                throw new ArgumentException($"stage {i} dim {dim} is not divisible by num_heads {NumHeads[i]}");
            for (int j = 0; j < Math.Min(Depths[i], 2); j++)
            {
                var (window, _) = EffectiveWindow(i, j);
                if (h % window != 0 || w % window != 0)
                    throw new ArgumentException($"stage {i} token grid {h}x{w} is not divisible by its window {window}");
            }
        }
        return this;
    }
}
