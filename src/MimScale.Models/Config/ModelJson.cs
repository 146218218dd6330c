using System.Text.Json;
using MimScale.Models.SimMim;
using MimScale.Models.SwinV2;

namespace MimScale.Models.Config;

/// <summary>
/// Reads model descriptions written with the official constructor argument names (snake_case):
/// MODEL.json for <c>SwinTransformerV2</c>, SIMMIM.json = those plus encoder_stride, mask_patch_size, mask_ratio,
/// norm_target_window. Unknown keys, wrong types and impossible values are errors naming the file and key.
/// </summary>
public static class ModelJson
{
    static readonly string[] SwinKeys =
    {
        "img_size", "patch_size", "in_chans", "num_classes", "embed_dim", "depths", "num_heads", "window_size", "mlp_ratio",
        "qkv_bias", "drop_rate", "attn_drop_rate", "drop_path_rate", "ape", "patch_norm", "pretrained_window_sizes", "use_checkpoint",
    };
    static readonly string[] SimMimKeys = { "encoder_stride", "mask_patch_size", "mask_ratio", "norm_target_window" };

    public static SwinV2Options ReadSwinV2(string path) => Parse(path, simmim: false).Swin.Validate();

    /// <summary>The model of a SIMMIM.json, and its mask keys as written (checked where masks are drawn).</summary>
    public static SimMimJson ReadSimMim(string path)
    {
        var (swin, extra) = Parse(path, simmim: true);
        int maskPatch = extra.TryGetValue("mask_patch_size", out var m) ? Int(path, "mask_patch_size", m) : 32;
        double maskRatio = extra.TryGetValue("mask_ratio", out var r) ? Num(path, "mask_ratio", r) : 0.6;
        var sim = new SimMimOptions
        {
            Encoder = swin with { NumClasses = 0 },
            NormTargetWindow = extra.TryGetValue("norm_target_window", out var n) ? Int(path, "norm_target_window", n) : 0,
        };
        try { sim.Validate(); }
        catch (ArgumentException e) { throw new InvalidDataException($"{path}: {e.Message}", e); }
        if (extra.TryGetValue("encoder_stride", out var s) && Int(path, "encoder_stride", s) != sim.EncoderStride)
            throw new InvalidDataException($"{path}: encoder_stride {Int(path, "encoder_stride", s)} does not match patch_size * 2^(stages-1) = {sim.EncoderStride}");
        return new SimMimJson(path, sim, maskPatch, maskRatio);
    }

    static (SwinV2Options Swin, Dictionary<string, JsonElement> Extra) Parse(string path, bool simmim)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(File.ReadAllText(path)); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: not valid JSON ({e.Message})", e); }
        if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"{path}: expected a JSON object");
        var o = new SwinV2Options();
        var extra = new Dictionary<string, JsonElement>();
        foreach (var p in doc.RootElement.EnumerateObject())
        {
            var v = p.Value;
            o = p.Name switch
            {
                "img_size" => o with { ImgSize = v.ValueKind == JsonValueKind.Array ? Ints(path, p.Name, v) : new[] { Int(path, p.Name, v), Int(path, p.Name, v) } },
                "patch_size" => o with { PatchSize = Int(path, p.Name, v) },
                "in_chans" => o with { InChans = Int(path, p.Name, v) },
                "num_classes" => o with { NumClasses = Int(path, p.Name, v) },
                "embed_dim" => o with { EmbedDim = Int(path, p.Name, v) },
                "depths" => o with { Depths = Ints(path, p.Name, v) },
                "num_heads" => o with { NumHeads = Ints(path, p.Name, v) },
                "window_size" => o with { WindowSize = Int(path, p.Name, v) },
                "mlp_ratio" => o with { MlpRatio = Num(path, p.Name, v) },
                "qkv_bias" => o with { QkvBias = Bool(path, p.Name, v) },
                "drop_rate" => o with { DropRate = Num(path, p.Name, v) },
                "attn_drop_rate" => o with { AttnDropRate = Num(path, p.Name, v) },
                "drop_path_rate" => o with { DropPathRate = Num(path, p.Name, v) },
                "ape" => o with { Ape = Bool(path, p.Name, v) },
                "patch_norm" => o with { PatchNorm = Bool(path, p.Name, v) },
                "pretrained_window_sizes" => o with { PretrainedWindowSizes = Ints(path, p.Name, v) },
                "use_checkpoint" => o with { UseCheckpoint = Bool(path, p.Name, v) },
                _ when simmim && SimMimKeys.Contains(p.Name) => Keep(extra, p, o),
                _ => throw new InvalidDataException($"{path}: unknown key '{p.Name}'; known: {string.Join(", ", simmim ? SwinKeys.Concat(SimMimKeys) : SwinKeys)}"),
            };
        }
        // A depth list without pretrained windows gets one 0 per stage, as the official default.
        if (o.PretrainedWindowSizes.Length != o.Depths.Length && !doc.RootElement.TryGetProperty("pretrained_window_sizes", out _))
            o = o with { PretrainedWindowSizes = new int[o.Depths.Length] };
        try { o.Validate(); }
        catch (ArgumentException e) { throw new InvalidDataException($"{path}: {e.Message}", e); }
        return (o, extra);
    }

    static SwinV2Options Keep(Dictionary<string, JsonElement> extra, JsonProperty p, SwinV2Options o) { extra[p.Name] = p.Value; return o; }

    // Type errors are worded by ConfigValues, like the YAML configs': "model.json: depths[1]: expected an integer, got 'two'".
    static int Int(string path, string key, JsonElement v) =>
        v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int i) ? i : throw ConfigValues.Mismatch($"{path}: {key}", "an integer", Got(v));
    static double Num(string path, string key, JsonElement v) =>
        v.ValueKind == JsonValueKind.Number ? v.GetDouble() : throw ConfigValues.Mismatch($"{path}: {key}", "a number", Got(v));
    static bool Bool(string path, string key, JsonElement v) =>
        v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : throw ConfigValues.Mismatch($"{path}: {key}", "true or false", Got(v));
    static int[] Ints(string path, string key, JsonElement v) =>
        v.ValueKind == JsonValueKind.Array ? v.EnumerateArray().Select((e, k) => Int(path, $"{key}[{k}]", e)).ToArray()
            : throw ConfigValues.Mismatch($"{path}: {key}", "a list of integers", Got(v));

    static string Got(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        JsonValueKind.String => $"'{v.GetString()}'",
        _ => $"'{v.GetRawText()}'",
    };
}
