using System.Globalization;
using System.Text;

namespace MimScale.Models.TensorFiles;

/// <summary>What a state dict holds.</summary>
public enum CheckpointKind
{
    /// <summary>SwinV2 with a classification head (<c>head.weight</c>).</summary>
    Classifier,

    /// <summary>SimMIM pre-training model: <c>encoder.*</c> (SwinV2 + <c>mask_token</c>) and <c>decoder.0.*</c>.</summary>
    SimMim,

    /// <summary>SwinV2 without head or decoder.</summary>
    EncoderOnly,
}

/// <summary>
/// A SwinV2 / SimMIM architecture read off a state dict's names and shapes (see <see cref="ArchitectureInference"/>).
/// Window sizes are the effective ones per stage (clipped to the stage resolution, as the official code does).
/// </summary>
/// <param name="Kind">Classifier, SimMIM, or bare encoder.</param>
/// <param name="KeyPrefix">Prefix of the SwinV2 keys: <c>"encoder."</c> for SimMIM, else empty.</param>
/// <param name="EmbedDim">C, from <c>patch_embed.proj.weight</c> (C, in_chans, p, p).</param>
/// <param name="PatchSize">p, from the same weight.</param>
/// <param name="InChans">Input channels, from the same weight.</param>
/// <param name="Depths">Blocks per stage (distinct <c>layers.i.blocks.j</c>).</param>
/// <param name="NumHeads">Heads per stage, from <c>attn.logit_scale</c> (h, 1, 1) of each stage's first block.</param>
/// <param name="WindowSizes">Effective window per stage, from <c>relative_position_index</c> (w*w, w*w) or
/// <c>relative_coords_table</c> (1, 2w-1, 2w-1, 2); 0 when both buffers are absent.</param>
/// <param name="NumFeatures">C * 2^(stages-1), the width of the last stage.</param>
/// <param name="NumClasses">Rows of <c>head.weight</c>; 0 without a head.</param>
/// <param name="MlpRatio">Rows of the first block's <c>mlp.fc1.weight</c> divided by C.</param>
/// <param name="AbsolutePositionEmbedding">True when <c>absolute_pos_embed</c> is present (ape).</param>
/// <param name="ImageSize">
/// Square input size implied by the first shifted block's <c>attn_mask</c> (windows x window size x 2^stage x patch);
/// null when no stage has a mask.
/// </param>
/// <param name="EncoderStride">SimMIM only: the PixelShuffle factor of the decoder.</param>
/// <param name="DecoderKind">SimMIM only, e.g. <c>Conv2d(64, 3072, 1) + PixelShuffle(32)</c>.</param>
/// <param name="ParameterCount">Elements of every entry except the rebuilt buffers.</param>
/// <param name="ZooName">Paper size name (SwinV2-T ... SwinV2-G) matching embed dim and depths, or null.</param>
/// <param name="UnrecognisedKeys">Keys that are not part of the official SwinV2 / SimMIM layout.</param>
public sealed record InferredArchitecture(
    CheckpointKind Kind,
    string KeyPrefix,
    int EmbedDim,
    int PatchSize,
    int InChans,
    IReadOnlyList<int> Depths,
    IReadOnlyList<int> NumHeads,
    IReadOnlyList<int> WindowSizes,
    int NumFeatures,
    int NumClasses,
    double MlpRatio,
    bool AbsolutePositionEmbedding,
    int? ImageSize,
    int? EncoderStride,
    string? DecoderKind,
    long ParameterCount,
    string? ZooName,
    IReadOnlyList<string> UnrecognisedKeys)
{
    /// <summary>A few lines for people (the `mimscale inspect` summary).</summary>
    public string Describe()
    {
        static string List(IEnumerable<int> xs) => "[" + string.Join(",", xs) + "]";
        var sb = new StringBuilder();
        sb.AppendLine($"kind            {Kind}{(KeyPrefix.Length > 0 ? $" (keys under '{KeyPrefix}')" : "")}");
        sb.AppendLine($"size            {ZooName ?? "(no zoo size matches)"}");
        sb.AppendLine($"embed_dim       {EmbedDim}  (num_features {NumFeatures})");
        sb.AppendLine($"patch_size      {PatchSize}  in_chans {InChans}");
        sb.AppendLine($"depths          {List(Depths)}");
        sb.AppendLine($"num_heads       {List(NumHeads)}");
        sb.AppendLine($"window (eff.)   {List(WindowSizes)}");
        sb.AppendLine($"mlp_ratio       {MlpRatio.ToString(CultureInfo.InvariantCulture)}");
        if (AbsolutePositionEmbedding) sb.AppendLine("ape             True");
        sb.AppendLine($"img_size        {(ImageSize?.ToString(CultureInfo.InvariantCulture) ?? "unknown (no attn_mask)")}");
        if (Kind == CheckpointKind.Classifier) sb.AppendLine($"num_classes     {NumClasses}");
        if (Kind == CheckpointKind.SimMim) sb.AppendLine($"decoder         {DecoderKind} (encoder_stride {EncoderStride})");
        sb.AppendLine($"parameters      {ParameterCount.ToString("N0", CultureInfo.InvariantCulture)}");
        if (UnrecognisedKeys.Count > 0)
            sb.AppendLine($"unrecognised    {UnrecognisedKeys.Count} keys, e.g. {string.Join(", ", UnrecognisedKeys.Take(5))}");
        return sb.ToString().TrimEnd();
    }
}
