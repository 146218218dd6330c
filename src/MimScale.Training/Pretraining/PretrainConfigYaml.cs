using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MimScale.Training.Runs;

namespace MimScale.Training.Pretraining;

/// <summary>
/// RUN.yaml &lt;-&gt; <see cref="PretrainConfig"/>: snake_case keys, unknown keys are errors naming the file, and
/// <c>--set key=value</c> overrides applied on top. The resolved config (with derived values) is written as JSON.
/// </summary>
public static class PretrainConfigYaml
{
    public static PretrainConfig Load(string path, IEnumerable<string>? overrides = null) =>
        ConfigYaml<PretrainConfig>.Load(path, overrides, c => c.Validate());

    public static PretrainConfig Parse(string yaml, string source, IEnumerable<string>? overrides = null) =>
        ConfigYaml<PretrainConfig>.Parse(yaml, source, overrides, c => c.Validate());

    /// <summary>The config from key -> value pairs (see <see cref="ConfigYaml{T}.FromValues"/>).</summary>
    public static PretrainConfig FromValues(IReadOnlyDictionary<string, object?> values, string source) =>
        ConfigYaml<PretrainConfig>.FromValues(values, source, c => c.Validate());

    /// <summary>The config as YAML (the run folder's run.yaml, read back by --resume).</summary>
    public static string ToYaml(PretrainConfig config) => ConfigYaml<PretrainConfig>.ToYaml(config);

    /// <summary>Everything that ran, with derived values (scaled lr, model options), as indented JSON (runs add the schedule they used).</summary>
    public static string Resolved(PretrainConfig config, IDictionary<string, object?>? extra = null)
    {
        var json = new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
        var d = new Dictionary<string, object?>
        {
            ["config"] = config,
            ["derived"] = new Dictionary<string, object?>
            {
                ["total_batch"] = config.TotalBatch,
                ["lr"] = config.ScaledLr,
                ["warmup_lr"] = config.ScaledWarmupLr,
                ["model"] = ModelSection(config, json),
                ["encoder_stride"] = config.ModelOptions().EncoderStride,
            },
        };
        if (extra is not null) foreach (var (k, v) in extra) d[k] = v;
        return JsonSerializer.Serialize(d, json);
    }

    // The model options with the resolved masking written where the model options held it until issue 12 (after
    // encoder_stride): this text is hashed into every run's config_hash, so the same place keeps the hash of every
    // existing run folder and they resume; the masking that ran stays recorded next to the model it trained.
    static JsonObject ModelSection(PretrainConfig config, JsonSerializerOptions json)
    {
        var model = JsonSerializer.SerializeToNode(config.ModelOptions(), json)!.AsObject();
        var masks = config.Masks();
        int at = model.IndexOf("encoder_stride") + 1;
        model.Insert(at, "mask_patch_size", masks.PatchSize);
        model.Insert(at + 1, "mask_ratio", masks.Ratio);
        return model;
    }
}
