using System.Text.Json;
using MimScale.Training.Runs;

namespace MimScale.Dense.Segmentation;

/// <summary>SEG.yaml &lt;-&gt; <see cref="SegmentationConfig"/> under the runs' one YAML convention (<see cref="ConfigYaml{T}"/>).</summary>
public static class SegmentationConfigYaml
{
    public static SegmentationConfig Load(string path, IEnumerable<string>? overrides = null) =>
        ConfigYaml<SegmentationConfig>.Load(path, overrides, c => c.Validate());

    public static SegmentationConfig Parse(string yaml, string source, IEnumerable<string>? overrides = null) =>
        ConfigYaml<SegmentationConfig>.Parse(yaml, source, overrides, c => c.Validate());

    /// <summary>The config as YAML (run.yaml).</summary>
    public static string ToYaml(SegmentationConfig config) => ConfigYaml<SegmentationConfig>.ToYaml(config);

    /// <summary>What ran, with derived values, as indented JSON (config.resolved.json).</summary>
    public static string Resolved(SegmentationConfig config, IDictionary<string, object?>? derived = null)
    {
        var d = new Dictionary<string, object?> { ["total_batch"] = config.TotalBatch };
        if (derived is not null) foreach (var (k, v) in derived) d[k] = v;
        return JsonSerializer.Serialize(new Dictionary<string, object?> { ["config"] = config, ["derived"] = d },
            new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower });
    }
}
