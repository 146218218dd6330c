using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace MimScale.Training.Runs;

/// <summary>
/// The one YAML convention of MimScale's run configs (pre-training, fine-tuning): snake_case keys; an unknown key is an
/// error naming the file and listing the known keys; <c>--set key=value</c> overrides on top (a value is read as YAML,
/// so <c>--set pretrained_window_sizes=[4,4,4,2]</c> works); validation errors name the file.
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
        return FromValues(map, source, validate);
    }

    /// <summary>
    /// The config from key -> value pairs (numbers, strings, lists of them) under the same convention as a file: what
    /// a study builds for each trunk at plan time, so a bad recipe fails there, naming the key.
    /// </summary>
    public static T FromValues(IReadOnlyDictionary<string, object?> map, string source, Func<T, T> validate)
    {
        try
        {
            return validate(Reader.Deserialize<T>(Writer.Serialize(map)) ?? new T());
        }
        catch (YamlException e)
        {
            string msg = e.InnerException?.Message ?? e.Message;
            if (msg.Contains("not found on type", StringComparison.Ordinal))
                throw new InvalidDataException($"{source}: {msg.Split(" not found")[0].Replace("Property ", "unknown key ")}; known keys: {string.Join(", ", Keys)}", e);
            throw new InvalidDataException($"{source}: {msg}", e);
        }
        catch (ArgumentException e) { throw new InvalidDataException($"{source}: {e.Message}", e); }
    }

    /// <summary>The settable keys, in declaration order.</summary>
    public static IEnumerable<string> Keys =>
        typeof(T).GetProperties().Where(p => p.CanWrite).Select(p => UnderscoredNamingConvention.Instance.Apply(p.Name));

    /// <summary>The config as YAML with only its settable keys (what a run folder's run.yaml holds).</summary>
    public static string ToYaml(T config) =>
        Writer.Serialize(typeof(T).GetProperties().Where(p => p.CanWrite)
            .ToDictionary(p => UnderscoredNamingConvention.Instance.Apply(p.Name), p => p.GetValue(config)));
}
