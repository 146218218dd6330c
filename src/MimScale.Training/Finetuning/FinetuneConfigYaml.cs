using System.Text.Json;
using MimScale.Training.Runs;

namespace MimScale.Training.Finetuning;

/// <summary>
/// FT.yaml &lt;-&gt; <see cref="FinetuneConfig"/>, the same conventions as the pre-training config: snake_case keys,
/// unknown keys are errors naming the file and listing the known ones, <c>--set key=value</c> overrides on top (a value
/// is read as YAML, so <c>--set pretrained_window_sizes=[4,4,4,2]</c> works).
/// </summary>
public static class FinetuneConfigYaml
{
    public static FinetuneConfig Load(string path, IEnumerable<string>? overrides = null) =>
        ConfigYaml<FinetuneConfig>.Load(path, overrides, c => c.Validate());

    public static FinetuneConfig Parse(string yaml, string source, IEnumerable<string>? overrides = null) =>
        ConfigYaml<FinetuneConfig>.Parse(yaml, source, overrides, c => c.Validate());

    /// <summary>The config from key -> value pairs under the same convention (a study's fine-tuning evaluation).</summary>
    public static FinetuneConfig FromValues(IReadOnlyDictionary<string, object?> values, string source) =>
        ConfigYaml<FinetuneConfig>.FromValues(values, source, c => c.Validate());

    /// <summary>The config as YAML (the run folder's run.yaml, read back by --resume).</summary>
    public static string ToYaml(FinetuneConfig config) => ConfigYaml<FinetuneConfig>.ToYaml(config);

    /// <summary>What ran, with derived values (scaled rates, iterations, model, starting weights), as indented JSON.</summary>
    public static string Resolved(FinetuneConfig config, IDictionary<string, object?>? derived = null)
    {
        var d = new Dictionary<string, object?>
        {
            ["total_batch"] = config.TotalBatch,
            ["lr"] = config.ScaledLr,
            ["warmup_lr"] = config.ScaledWarmupLr,
            ["min_lr"] = config.ScaledMinLr,
        };
        if (derived is not null) foreach (var (k, v) in derived) d[k] = v;
        return JsonSerializer.Serialize(new Dictionary<string, object?> { ["config"] = config, ["derived"] = d },
            new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower });
    }
}
