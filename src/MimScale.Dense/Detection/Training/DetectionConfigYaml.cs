using System.Text.Json;
using MimScale.Training.Runs;

namespace MimScale.Dense.Detection.Training;

/// <summary>DETECT.yaml &lt;-&gt; <see cref="DetectionConfig"/> under the run configs' one convention (<see cref="ConfigYaml{T}"/>).</summary>
public static class DetectionConfigYaml
{
    public static DetectionConfig Load(string path, IEnumerable<string>? overrides = null) =>
        ConfigYaml<DetectionConfig>.Load(path, overrides, c => c.Validate());

    public static DetectionConfig Parse(string yaml, string source, IEnumerable<string>? overrides = null) =>
        ConfigYaml<DetectionConfig>.Parse(yaml, source, overrides, c => c.Validate());

    /// <summary>The config as YAML (the run folder's run.yaml, read back by --resume).</summary>
    public static string ToYaml(DetectionConfig config) => ConfigYaml<DetectionConfig>.ToYaml(config);

    /// <summary>What ran, with derived values, as indented JSON (config.resolved.json).</summary>
    public static string Resolved(DetectionConfig config, IDictionary<string, object?> derived) =>
        JsonSerializer.Serialize(new Dictionary<string, object?> { ["config"] = config, ["derived"] = derived },
            new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower });
}
