using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace MimScale.Study.Spec;

/// <summary>Typed reads of YAML nodes that fail with the file, the line and the key (helpers of <see cref="StudySpecReader"/>).</summary>
internal sealed class YamlReading(string file)
{
    public string File { get; } = file;

    public StudySpecException Error(YamlNode? node, string problem) =>
        new(File, node is null ? null : (int)node.Start.Line, problem);

    public YamlMappingNode Mapping(YamlNode node, string what) =>
        node as YamlMappingNode ?? throw Error(node, $"'{what}' must be a map of key: value lines");

    /// <summary>Key/value pairs of a mapping, rejecting keys outside <paramref name="known"/> with a suggestion.</summary>
    public Dictionary<string, YamlNode> Entries(YamlMappingNode map, string what, IReadOnlyCollection<string>? known)
    {
        var result = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        foreach (var (k, v) in map.Children)
        {
            if (k is not YamlScalarNode { Value: { } key }) throw Error(k, $"keys of '{what}' must be plain names");
            if (known is not null && !known.Contains(key))
            {
                var near = known.OrderBy(n => Distance(n, key)).First();
                var hint = Distance(near, key) <= 2 ? $" (did you mean '{near}'?)" : "";
                throw Error(k, $"unknown key '{key}' in {what}{hint}; known keys: {string.Join(", ", known)}");
            }
            if (!result.TryAdd(key, v)) throw Error(k, $"duplicate key '{key}' in {what}");
        }
        return result;
    }

    public string Scalar(YamlNode node, string key) => node switch
    {
        YamlScalarNode { Value: { } v } => v,
        _ => throw Error(node, $"'{key}' must be a single value"),
    };

    public IReadOnlyList<YamlNode> Sequence(YamlNode node, string key) => node switch
    {
        YamlSequenceNode s => s.Children.ToList(),
        YamlScalarNode => [node], // a single value is a one-item list
        _ => throw Error(node, $"'{key}' must be a list, e.g. [a, b]"),
    };

    public double Number(YamlNode node, string key)
    {
        var s = Scalar(node, key);
        if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d)) return d;
        throw Error(node, $"'{key}' must be a number, got '{s}'");
    }

    /// <summary>A whole number; accepts the paper's 125K / 1.5M notation.</summary>
    public long Count(YamlNode node, string key)
    {
        var s = Scalar(node, key).Trim().Replace("_", "", StringComparison.Ordinal);
        double scale = 1;
        if (s.EndsWith('k') || s.EndsWith('K')) { scale = 1e3; s = s[..^1]; }
        else if (s.EndsWith('m') || s.EndsWith('M')) { scale = 1e6; s = s[..^1]; }
        if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d))
        {
            double v = Math.Round(d * scale, 6);
            if (v == Math.Floor(v) && Math.Abs(v) < 9e15) return (long)v;
        }
        throw Error(node, $"'{key}' must be a whole number (125000 or 125K), got '{Scalar(node, key)}'");
    }

    public bool Bool(YamlNode node, string key) => Scalar(node, key).Trim().ToLowerInvariant() switch
    {
        "true" or "yes" => true,
        "false" or "no" => false,
        var s => throw Error(node, $"'{key}' must be true or false, got '{s}'"),
    };

    /// <summary>An open map, flattened to dotted keys (<see cref="RecipeMap"/>).</summary>
    public RecipeMap Recipe(YamlNode node, string key)
    {
        var values = new List<KeyValuePair<string, RecipeValue>>();
        Flatten(Mapping(node, key), "", key, values);
        return new RecipeMap(values, $"{File}: {key}");
    }

    private void Flatten(YamlMappingNode map, string prefix, string what, List<KeyValuePair<string, RecipeValue>> into)
    {
        foreach (var (k, v) in Entries(map, what, null))
        {
            string full = prefix + k;
            if (full.Contains('=') || full.Contains('\n')) throw Error(map, $"key '{full}' in {what} may not contain '=' or a newline");
            switch (v)
            {
                case YamlMappingNode m: Flatten(m, full + ".", what, into); break;
                case YamlScalarNode s:
                    into.Add(new(full, RecipeValue.Scalar(s.Value ?? "", s.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted)));
                    break;
                case YamlSequenceNode seq:
                    into.Add(new(full, RecipeValue.List(seq.Children.Select(c => c is YamlScalarNode { Value: { } cv } ? cv
                        : throw Error(c, $"'{full}' in {what}: list items must be single values")))));
                    break;
                default: throw Error(v, $"'{full}' in {what}: unsupported value");
            }
        }
    }

    /// <summary>Levenshtein distance, for "did you mean" hints.</summary>
    private static int Distance(string a, string b)
    {
        var prev = Enumerable.Range(0, b.Length + 1).ToArray();
        for (int i = 1; i <= a.Length; i++)
        {
            var cur = new int[b.Length + 1];
            cur[0] = i;
            for (int j = 1; j <= b.Length; j++)
                cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            prev = cur;
        }
        return prev[b.Length];
    }
}
