using System.Globalization;
using System.Text.Json;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace MimScale.Training.Pretraining;

/// <summary>
/// RUN.yaml &lt;-&gt; <see cref="PretrainConfig"/>: snake_case keys, unknown keys are errors naming the file, and
/// <c>--set key=value</c> overrides applied on top. The resolved config (with derived values) is written as JSON.
/// </summary>
public static class PretrainConfigYaml
{
    static readonly IDeserializer Reader = new DeserializerBuilder().WithNamingConvention(UnderscoredNamingConvention.Instance).Build();
    static readonly ISerializer Writer = new SerializerBuilder().WithNamingConvention(UnderscoredNamingConvention.Instance).Build();

    public static PretrainConfig Load(string path, IEnumerable<string>? overrides = null)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: config file not found", path);
        return Parse(File.ReadAllText(path), path, overrides);
    }

    public static PretrainConfig Parse(string yaml, string source, IEnumerable<string>? overrides = null)
    {
        Dictionary<string, object?> map;
        try { map = Reader.Deserialize<Dictionary<string, object?>>(yaml) ?? new(); }
        catch (YamlException e) { throw new InvalidDataException($"{source}: invalid YAML at line {e.Start.Line}: {e.Message}", e); }
        foreach (var o in overrides ?? Array.Empty<string>())
        {
            int eq = o.IndexOf('=');
            if (eq <= 0) throw new ArgumentException($"--set expects key=value, got '{o}'");
            map[o[..eq].Trim()] = o[(eq + 1)..].Trim();
        }
        try
        {
            var config = Reader.Deserialize<PretrainConfig>(Writer.Serialize(map)) ?? new PretrainConfig();
            return config.Validate();
        }
        catch (YamlException e)
        {
            string msg = e.InnerException?.Message ?? e.Message;
            if (msg.Contains("not found on type", StringComparison.Ordinal))
            {
                var known = typeof(PretrainConfig).GetProperties().Where(p => p.CanWrite).Select(p => UnderscoredNamingConvention.Instance.Apply(p.Name));
                throw new InvalidDataException($"{source}: {msg.Split(" not found")[0].Replace("Property ", "unknown key ")}; known keys: {string.Join(", ", known)}", e);
            }
            throw new InvalidDataException($"{source}: {msg}", e);
        }
        catch (ArgumentException e) { throw new InvalidDataException($"{source}: {e.Message}", e); }
    }

    /// <summary>The config as YAML (for writing RUN.yaml files).</summary>
    public static string ToYaml(PretrainConfig config) =>
        Writer.Serialize(typeof(PretrainConfig).GetProperties().Where(p => p.CanWrite)
            .ToDictionary(p => UnderscoredNamingConvention.Instance.Apply(p.Name), p => p.GetValue(config)));

    /// <summary>Everything that ran, with derived values (scaled lr, model options, milestone), as indented JSON.</summary>
    public static string Resolved(PretrainConfig config, IDictionary<string, object?>? extra = null)
    {
        var d = new Dictionary<string, object?>
        {
            ["config"] = config,
            ["derived"] = new Dictionary<string, object?>
            {
                ["total_batch"] = config.TotalBatch,
                ["lr"] = config.ScaledLr,
                ["warmup_lr"] = config.ScaledWarmupLr,
                ["decay_milestone"] = Schedules.StepSchedule.MilestoneOf(config.Iterations, config.DecayFraction),
                ["model"] = config.ModelOptions(),
                ["encoder_stride"] = config.ModelOptions().EncoderStride,
            },
        };
        if (extra is not null) foreach (var (k, v) in extra) d[k] = v;
        return JsonSerializer.Serialize(d, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower });
    }
}
