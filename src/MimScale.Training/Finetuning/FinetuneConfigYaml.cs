using System.Text.Json;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace MimScale.Training.Finetuning;

/// <summary>
/// FT.yaml &lt;-&gt; <see cref="FinetuneConfig"/>, the same conventions as the pre-training config: snake_case keys,
/// unknown keys are errors naming the file and listing the known ones, <c>--set key=value</c> overrides on top (a value
/// is read as YAML, so <c>--set pretrained_window_sizes=[4,4,4,2]</c> works).
/// </summary>
public static class FinetuneConfigYaml
{
    static readonly IDeserializer Reader = new DeserializerBuilder().WithNamingConvention(UnderscoredNamingConvention.Instance).Build();
    static readonly ISerializer Writer = new SerializerBuilder().WithNamingConvention(UnderscoredNamingConvention.Instance).Build();

    public static FinetuneConfig Load(string path, IEnumerable<string>? overrides = null)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: config file not found", path);
        return Parse(File.ReadAllText(path), path, overrides);
    }

    public static FinetuneConfig Parse(string yaml, string source, IEnumerable<string>? overrides = null)
    {
        Dictionary<string, object?> map;
        try { map = Reader.Deserialize<Dictionary<string, object?>>(yaml) ?? new(); }
        catch (YamlException e) { throw new InvalidDataException($"{source}: invalid YAML at line {e.Start.Line}: {e.Message}", e); }
        foreach (var o in overrides ?? Array.Empty<string>())
        {
            int eq = o.IndexOf('=');
            if (eq <= 0) throw new ArgumentException($"--set expects key=value, got '{o}'");
            string value = o[(eq + 1)..].Trim();
            object? parsed;
            try { parsed = value.StartsWith('[') ? Reader.Deserialize<List<object>>(value) : value; }
            catch (YamlException) { throw new ArgumentException($"--set {o}: cannot read the value as YAML"); }
            map[o[..eq].Trim()] = parsed;
        }
        try
        {
            var config = Reader.Deserialize<FinetuneConfig>(Writer.Serialize(map)) ?? new FinetuneConfig();
            return config.Validate();
        }
        catch (YamlException e)
        {
            string msg = e.InnerException?.Message ?? e.Message;
            if (msg.Contains("not found on type", StringComparison.Ordinal))
            {
                var known = typeof(FinetuneConfig).GetProperties().Where(p => p.CanWrite).Select(p => UnderscoredNamingConvention.Instance.Apply(p.Name));
                throw new InvalidDataException($"{source}: {msg.Split(" not found")[0].Replace("Property ", "unknown key ")}; known keys: {string.Join(", ", known)}", e);
            }
            throw new InvalidDataException($"{source}: {msg}", e);
        }
        catch (ArgumentException e) { throw new InvalidDataException($"{source}: {e.Message}", e); }
    }

    /// <summary>The config as YAML (the run folder's run.yaml, read back by --resume).</summary>
    public static string ToYaml(FinetuneConfig config) =>
        Writer.Serialize(typeof(FinetuneConfig).GetProperties().Where(p => p.CanWrite)
            .ToDictionary(p => UnderscoredNamingConvention.Instance.Apply(p.Name), p => p.GetValue(config)));

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
