using System.Reflection;
using MimScale.Models.Config;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace MimScale.Training.Runs;

/// <summary>
/// The one YAML convention of MimScale's run configs (pre-training, fine-tuning): snake_case keys; an unknown key is an
/// error naming the file and listing the known keys; <c>--set key=value</c> overrides on top (a value is read as YAML,
/// so <c>--set pretrained_window_sizes=[4,4,4,2]</c> works). Values are converted by <see cref="ConfigValues"/>, so a
/// wrong one names its file and key (<c>run.yaml: iterations: expected an integer, got 'ten'</c>) or its --set
/// argument; validation errors name the file and the --set arguments applied.
/// </summary>
public static class ConfigYaml<T> where T : class, new()
{
    static readonly IDeserializer Reader = new DeserializerBuilder().WithNamingConvention(UnderscoredNamingConvention.Instance).Build();
    static readonly ISerializer Writer = new SerializerBuilder().WithNamingConvention(UnderscoredNamingConvention.Instance).Build();

    public static T Load(string path, IEnumerable<string>? overrides, Func<T, T> validate)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: config file not found", path);
        return Parse(File.ReadAllText(path), path, overrides, validate);
    }

    public static T Parse(string yaml, string source, IEnumerable<string>? overrides, Func<T, T> validate)
    {
        Dictionary<string, object?> map;
        try { map = Reader.Deserialize<Dictionary<string, object?>>(yaml) ?? new(); }
        catch (YamlException e) { throw new InvalidDataException($"{source}: invalid YAML at line {e.Start.Line}: {e.Message}", e); }
        // Each value remembers where it came from, so a wrong one is blamed on its file and key or on its --set argument.
        var values = map.ToDictionary(kv => kv.Key, kv => (Raw: kv.Value, Origin: source, Where: $"{source}: {kv.Key}"), StringComparer.Ordinal);
        var sets = overrides?.ToList() ?? [];
        foreach (var o in sets)
        {
            int eq = o.IndexOf('=');
            if (eq <= 0) throw new ArgumentException($"--set expects key=value, got '{o}'");
            string value = o[(eq + 1)..].Trim();
            object? parsed;
            try { parsed = value.StartsWith('[') ? Reader.Deserialize<List<object>>(value) : value is "~" or "null" ? null : value; }
            catch (YamlException) { throw new ArgumentException($"--set {o}: cannot read the value as YAML"); }
            values[o[..eq].Trim()] = (parsed, $"--set {o}", $"--set {o}");
        }
        return Build(values, sets.Count == 0 ? source : $"{source} with --set {string.Join(" --set ", sets)}", validate);
    }

    /// <summary>
    /// The config from key -> value pairs (numbers, strings, lists of them) under the same convention as a file: what
    /// a study builds for each trunk at plan time, so a bad recipe fails there, naming the key.
    /// </summary>
    public static T FromValues(IReadOnlyDictionary<string, object?> map, string source, Func<T, T> validate) =>
        Build(map.ToDictionary(kv => kv.Key, kv => (kv.Value, source, $"{source}: {kv.Key}"), StringComparer.Ordinal), source, validate);

    static T Build(Dictionary<string, (object? Raw, string Origin, string Where)> values, string label, Func<T, T> validate)
    {
        var config = new T();
        foreach (var (key, (raw, origin, where)) in values)
        {
            var property = Properties.GetValueOrDefault(key)
                ?? throw new InvalidDataException($"{origin}: unknown key '{key}'; known keys: {string.Join(", ", Keys)}");
            property.SetValue(config, ConfigValues.Convert(raw, property.PropertyType, where));
        }
        try { return validate(config); }
        catch (ArgumentException e) { throw new InvalidDataException($"{label}: {e.Message}", e); }
    }

    static readonly Dictionary<string, PropertyInfo> Properties =
        typeof(T).GetProperties().Where(p => p.CanWrite).ToDictionary(p => UnderscoredNamingConvention.Instance.Apply(p.Name), StringComparer.Ordinal);

    /// <summary>The settable keys, in declaration order.</summary>
    public static IEnumerable<string> Keys =>
        typeof(T).GetProperties().Where(p => p.CanWrite).Select(p => UnderscoredNamingConvention.Instance.Apply(p.Name));

    /// <summary>The config as YAML with only its settable keys (what a run folder's run.yaml holds).</summary>
    public static string ToYaml(T config) =>
        Writer.Serialize(typeof(T).GetProperties().Where(p => p.CanWrite)
            .ToDictionary(p => UnderscoredNamingConvention.Instance.Apply(p.Name), p => p.GetValue(config)));
}
