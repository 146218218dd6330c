using System.Text.RegularExpressions;
using static TorchSharp.torch;

namespace MimScale.Models.TensorFiles;

/// <summary>
/// Reads a SwinV2 / SimMIM architecture off a state dict's names and shapes (official layout,
/// models/swin_transformer_v2.py and models/simmim.py): nothing is loaded into a model.
/// </summary>
public static partial class ArchitectureInference
{
    // Paper sizes by (C, depths); heads are not part of the match (SPEC §1.1: heads for H/g/G are inferred).
    static readonly (string Name, int EmbedDim, int[] Depths)[] Zoo =
    {
        ("SwinV2-T", 96, new[] { 2, 2, 6, 2 }),
        ("SwinV2-S", 96, new[] { 2, 2, 18, 2 }),
        ("SwinV2-B", 128, new[] { 2, 2, 18, 2 }),
        ("SwinV2-L", 192, new[] { 2, 2, 18, 2 }),
        ("SwinV2-H", 352, new[] { 2, 2, 18, 2 }),
        ("SwinV2-g", 448, new[] { 2, 2, 18, 2 }),
        ("SwinV2-G", 512, new[] { 2, 2, 42, 4 }),
    };

    /// <inheritdoc cref="FromShapes"/>
    public static InferredArchitecture FromStateDict(IReadOnlyDictionary<string, Tensor> stateDict) =>
        FromShapes(StateDictKeys.Shapes(stateDict));

    /// <summary>
    /// Infers the architecture; accepts raw official names (<c>module.</c> prefix, old <c>rpe_mlp</c>).
    /// </summary>
    /// <exception cref="ArgumentException">The keys are not a SwinV2 / SimMIM state dict; the message says what is missing.</exception>
    public static InferredArchitecture FromShapes(IReadOnlyDictionary<string, long[]> shapes)
    {
        var sd = StateDictKeys.NormalizeOfficialKeys(shapes, out _);
        bool simmim = sd.ContainsKey("decoder.0.weight") || StateDictKeys.HasEncoderPrefix(sd);
        string prefix = simmim ? StateDictKeys.EncoderPrefix : "";
        long[] Need(string key) => sd.TryGetValue(prefix + key, out var s) ? s
            : throw new ArgumentException($"not a SwinV2{(simmim ? " SimMIM" : "")} state dict: no '{prefix + key}'");

        var patch = Need("patch_embed.proj.weight"); // (C, in_chans, p, p)
        if (patch.Length != 4 || patch[2] != patch[3]) throw new ArgumentException($"patch_embed.proj.weight has shape {TensorDTypes.ShapeString(patch)}, expected (C, in_chans, p, p)");
        int embed = (int)patch[0], inChans = (int)patch[1], patchSize = (int)patch[2];

        // Depths: distinct block indices per stage.
        var blocks = new SortedDictionary<int, SortedSet<int>>();
        foreach (var key in sd.Keys)
        {
            if (!key.StartsWith(prefix, StringComparison.Ordinal)) continue;
            var m = BlockRegex().Match(key[prefix.Length..]);
            if (!m.Success) continue;
            int layer = int.Parse(m.Groups[1].Value), block = int.Parse(m.Groups[2].Value);
            if (!blocks.TryGetValue(layer, out var set)) blocks[layer] = set = new SortedSet<int>();
            set.Add(block);
        }
        if (blocks.Count == 0) throw new ArgumentException($"not a SwinV2 state dict: no '{prefix}layers.<i>.blocks.<j>.*' keys");
        int stages = blocks.Keys.Max() + 1;
        var depths = new int[stages];
        var heads = new int[stages];
        var windows = new int[stages];
        for (int i = 0; i < stages; i++)
        {
            if (!blocks.TryGetValue(i, out var set) || set.Max + 1 != set.Count)
                throw new ArgumentException($"stage {i} has missing blocks ({(set == null ? "none" : string.Join(",", set))})");
            depths[i] = set.Count;
            heads[i] = (int)Need($"layers.{i}.blocks.0.attn.logit_scale")[0]; // (h, 1, 1)
            windows[i] = WindowOf(sd, $"{prefix}layers.{i}.blocks.0.attn.");
        }

        var fc1 = Need("layers.0.blocks.0.mlp.fc1.weight"); // (hidden, C)
        double mlpRatio = (double)fc1[0] / fc1[1];
        int numFeatures = embed << (stages - 1);
        int numClasses = !simmim && sd.TryGetValue("head.weight", out var head) ? (int)head[0] : 0;

        int? stride = null;
        string? decoder = null;
        if (simmim && sd.TryGetValue("decoder.0.weight", out var dec)) // (3*s*s, 8C, 1, 1) then PixelShuffle(s)
        {
            int s = (int)Math.Round(Math.Sqrt(dec[0] / 3.0));
            if (dec.Length == 4 && dec[2] == 1 && dec[3] == 1 && 3L * s * s == dec[0])
            {
                stride = s;
                decoder = $"Conv2d({dec[1]}, {dec[0]}, 1) + PixelShuffle({s})";
                // MimScale's heavier decoder (decoder-size study): SwinV2 blocks under decoder_blocks.{i}. before the head.
                int decoderBlocks = sd.Keys.Select(k => DecoderBlockRegex().Match(k)).Where(m => m.Success).Select(m => int.Parse(m.Groups[1].Value)).Distinct().Count();
                if (decoderBlocks > 0) decoder = $"{decoderBlocks} SwinV2 block{(decoderBlocks > 1 ? "s" : "")} + {decoder}";
            }
            else decoder = $"unrecognised (decoder.0.weight {TensorDTypes.ShapeString(dec)})";
        }

        long parameters = sd.Where(kv => !StateDictKeys.IsRebuiltBuffer(kv.Key))
            .Sum(kv => TensorDTypes.CheckedNumel(kv.Value) ?? 0);
        string? zoo = Zoo.FirstOrDefault(z => z.EmbedDim == embed && z.Depths.SequenceEqual(depths)).Name;
        var unrecognised = sd.Keys.Where(k => !IsKnownKey(k, prefix, simmim)).ToList();

        return new InferredArchitecture(
            simmim ? CheckpointKind.SimMim : numClasses > 0 ? CheckpointKind.Classifier : CheckpointKind.EncoderOnly,
            prefix, embed, patchSize, inChans, depths, heads, windows, numFeatures, numClasses, mlpRatio,
            sd.ContainsKey(prefix + "absolute_pos_embed"), ImageSizeOf(sd, prefix, stages, windows, patchSize),
            stride, decoder, parameters, zoo, unrecognised);
    }

    static int WindowOf(IReadOnlyDictionary<string, long[]> sd, string attn)
    {
        if (sd.TryGetValue(attn + "relative_position_index", out var index) && index.Length == 2) // (w*w, w*w)
        {
            int w = (int)Math.Round(Math.Sqrt(index[0]));
            if ((long)w * w == index[0]) return w;
        }
        if (sd.TryGetValue(attn + "relative_coords_table", out var table) && table.Length == 4) // (1, 2w-1, 2w-1, 2)
            return (int)(table[1] + 1) / 2;
        return 0; // unknown: both buffers were dropped from this file
    }

    static int? ImageSizeOf(IReadOnlyDictionary<string, long[]> sd, string prefix, int stages, int[] windows, int patch)
    {
        for (int i = 0; i < stages; i++)
        {
            var mask = sd.FirstOrDefault(kv => kv.Key.StartsWith($"{prefix}layers.{i}.blocks.", StringComparison.Ordinal)
                                              && kv.Key.EndsWith(".attn_mask", StringComparison.Ordinal)).Value;
            if (mask is not { Length: 3 } || windows[i] == 0) continue; // (nW, w*w, w*w)
            int perSide = (int)Math.Round(Math.Sqrt(mask[0]));
            if ((long)perSide * perSide != mask[0]) return null;
            return perSide * windows[i] * (1 << i) * patch;
        }
        return null;
    }

    static bool IsKnownKey(string key, string prefix, bool simmim)
    {
        if (simmim && (key == "encoder.mask_token" || key is "decoder.0.weight" or "decoder.0.bias")) return true;
        // decoder_blocks.{i}.<an official block key>: checked against the block part of the encoder's layout.
        if (simmim && DecoderBlockRegex().Match(key) is { Success: true } m) return KnownKeyRegex().IsMatch("layers.0.blocks.0." + key[m.Length..]);
        if (!key.StartsWith(prefix, StringComparison.Ordinal)) return false;
        return KnownKeyRegex().IsMatch(key[prefix.Length..]);
    }

    [GeneratedRegex(@"^layers\.(\d+)\.blocks\.(\d+)\.")]
    private static partial Regex BlockRegex();

    [GeneratedRegex(@"^decoder_blocks\.(\d+)\.")]
    private static partial Regex DecoderBlockRegex();

    [GeneratedRegex(@"^(patch_embed\.(proj|norm)\.(weight|bias)|absolute_pos_embed|norm\.(weight|bias)|head\.(weight|bias)" +
                    @"|layers\.\d+\.downsample\.(reduction\.weight|norm\.(weight|bias))" +
                    @"|layers\.\d+\.blocks\.\d+\.(attn_mask|(norm1|norm2|mlp\.fc1|mlp\.fc2|attn\.proj)\.(weight|bias)" +
                    @"|attn\.(logit_scale|q_bias|v_bias|relative_coords_table|relative_position_index|qkv\.weight|qkv\.bias)" +
                    @"|attn\.cpb_mlp\.(0\.weight|0\.bias|2\.weight)))$")]
    private static partial Regex KnownKeyRegex();
}
