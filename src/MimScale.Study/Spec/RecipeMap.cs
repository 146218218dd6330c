using System.Globalization;
using System.Text;

namespace MimScale.Study.Spec;

/// <summary>
/// An open key/value recipe (the spec's <c>pretrain:</c>, <c>finetune:</c>, <c>linear_probe:</c>, <c>knn:</c> maps),
/// passed through to the engine unchanged and hashed into every cell key. Nested YAML maps are flattened to dotted
/// keys (<c>optimizer: {betas: [0.9, 0.999]}</c> becomes <c>optimizer.betas</c>). Keys are kept in ordinal order,
/// so the canonical text (<see cref="CanonicalText"/>) does not depend on the order they were written in.
/// </summary>
public sealed class RecipeMap : IEquatable<RecipeMap>
{
    private readonly SortedDictionary<string, RecipeValue> values;

    /// <summary>Where the map comes from (e.g. <c>studies/demo.yaml: pretrain</c>), for error messages; not hashed.</summary>
    public string Origin { get; }

    /// <summary>Creates a map; keys must be unique (ordinal).</summary>
    public RecipeMap(IEnumerable<KeyValuePair<string, RecipeValue>> values, string origin = "recipe")
    {
        Origin = origin;
        this.values = new SortedDictionary<string, RecipeValue>(StringComparer.Ordinal);
        foreach (var (k, v) in values)
            if (!this.values.TryAdd(k, v)) throw new ArgumentException($"{origin}: duplicate key '{k}'");
    }

    /// <summary>The empty map.</summary>
    public static RecipeMap Empty(string origin = "recipe") => new([], origin);

    /// <summary>All entries in ordinal key order.</summary>
    public IReadOnlyDictionary<string, RecipeValue> Values => values;

    /// <summary>Keys in ordinal order.</summary>
    public IEnumerable<string> Keys => values.Keys;

    /// <summary>Number of keys.</summary>
    public int Count => values.Count;

    /// <summary>True when <paramref name="key"/> is present.</summary>
    public bool Contains(string key) => values.ContainsKey(key);

    /// <summary><c>key=value</c> lines in ordinal key order, each ended by '\n' (what is hashed).</summary>
    public string CanonicalText
    {
        get
        {
            var sb = new StringBuilder();
            foreach (var (k, v) in values) sb.Append(k).Append('=').Append(v.Text).Append('\n');
            return sb.ToString();
        }
    }

    /// <summary>A copy with <paramref name="key"/> set to <paramref name="value"/> (parsed like an unquoted YAML scalar).</summary>
    public RecipeMap With(string key, string value)
    {
        var copy = new SortedDictionary<string, RecipeValue>(values, StringComparer.Ordinal) { [key] = RecipeValue.Scalar(value) };
        return new RecipeMap(copy, Origin);
    }

    /// <summary>The scalar text of <paramref name="key"/>, or <paramref name="fallback"/> when absent.</summary>
    public string? String(string key, string? fallback = null) => values.TryGetValue(key, out var v) ? ScalarOf(key, v) : fallback;

    /// <summary>A number; <paramref name="fallback"/> when absent; a clear error when not a number.</summary>
    public double Double(string key, double fallback) => TryDouble(key) ?? fallback;

    /// <summary>A number, or null when absent; a clear error when present but not a number.</summary>
    public double? TryDouble(string key)
    {
        if (!values.TryGetValue(key, out var v)) return null;
        var s = ScalarOf(key, v);
        if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d)) return d;
        throw new StudySpecException(Origin, null, $"'{key}' must be a number, got '{s}'");
    }

    /// <summary>A whole number; <paramref name="fallback"/> when absent; a clear error when not an integer.</summary>
    public long Long(string key, long fallback) => TryLong(key) ?? fallback;

    /// <summary>A whole number, or null when absent.</summary>
    public long? TryLong(string key)
    {
        if (TryDouble(key) is not double d) return null;
        if (d != Math.Floor(d) || Math.Abs(d) > 9e15) throw new StudySpecException(Origin, null, $"'{key}' must be a whole number, got '{values[key].Text}'");
        return (long)d;
    }

    /// <summary>A whole number that fits an int.</summary>
    public int Int(string key, int fallback) => TryLong(key) is long l ? checked((int)l) : fallback;

    /// <summary>A boolean (<c>true</c>/<c>false</c>); <paramref name="fallback"/> when absent.</summary>
    public bool Bool(string key, bool fallback)
    {
        if (!values.TryGetValue(key, out var v)) return fallback;
        return ScalarOf(key, v) switch
        {
            "true" => true,
            "false" => false,
            var s => throw new StudySpecException(Origin, null, $"'{key}' must be true or false, got '{s}'"),
        };
    }

    /// <summary>A list of numbers (a scalar counts as a one-item list), or null when absent.</summary>
    public IReadOnlyList<double>? Doubles(string key)
    {
        if (!values.TryGetValue(key, out var v)) return null;
        return v.Items.Select(s => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d)
            ? d : throw new StudySpecException(Origin, null, $"'{key}' must be a list of numbers, got '{v.Text}'")).ToArray();
    }

    /// <summary>Fails, naming the first key the engine does not know (catches typos in the pass-through maps).</summary>
    public void RequireKnownKeys(IEnumerable<string> known)
    {
        var set = known.ToHashSet(StringComparer.Ordinal);
        var unknown = values.Keys.Where(k => !set.Contains(k)).ToList();
        if (unknown.Count > 0)
            throw new StudySpecException(Origin, null,
                $"unknown key{(unknown.Count > 1 ? "s" : "")} {string.Join(", ", unknown.Select(k => $"'{k}'"))}; known: {string.Join(", ", set.Order(StringComparer.Ordinal))}");
    }

    /// <summary>Fails naming the first of <paramref name="studyKeys"/> this recipe sets: the study sets those itself
    /// (<paramref name="setBy"/> says from what).</summary>
    public void RefuseKeys(IEnumerable<string> studyKeys, string setBy)
    {
        foreach (var key in studyKeys)
            if (values.ContainsKey(key))
                throw new StudySpecException(Origin, null, $"'{key}' is set by the study ({setBy}), not by the recipe");
    }

    /// <summary>
    /// An engine config: this recipe's values (lists as lists) layered onto the study's <paramref name="values"/>, built
    /// through the engine's one config convention; an engine error becomes a <see cref="StudySpecException"/> naming
    /// this recipe and the key.
    /// </summary>
    public T ToEngineConfig<T>(Dictionary<string, object?> values, Func<IReadOnlyDictionary<string, object?>, string, T> build)
    {
        foreach (var (key, value) in this.values) values[key] = value.IsList ? value.Items.ToList() : value.Items[0];
        try { return build(values, Origin); }
        catch (InvalidDataException e)
        {
            var prefix = Origin + ": ";
            throw new StudySpecException(Origin, null, e.Message.StartsWith(prefix, StringComparison.Ordinal) ? e.Message[prefix.Length..] : e.Message, e);
        }
    }

    private string ScalarOf(string key, RecipeValue v) =>
        v.IsList ? throw new StudySpecException(Origin, null, $"'{key}' must be a single value, got the list {v.Text}") : v.Items[0];

    public bool Equals(RecipeMap? other) => other is not null && CanonicalText == other.CanonicalText;

    public override bool Equals(object? obj) => obj is RecipeMap m && Equals(m);

    public override int GetHashCode() => CanonicalText.GetHashCode(StringComparison.Ordinal);

    public override string ToString() => Count == 0 ? "{}" : "{" + string.Join(", ", values.Select(kv => $"{kv.Key}: {kv.Value.Text}")) + "}";
}
