using System.Collections;
using System.Globalization;

namespace MimScale.Models.Config;

/// <summary>
/// The one conversion of untyped config values (what a YAML reader gives for an open map: a string per scalar, a list
/// per sequence, a dictionary per mapping, null for <c>~</c>) into a setting's type, and the one wording of a wrong
/// value: <c>"{where}: expected an integer, got 'ten'"</c>, where <c>where</c> names the file and key
/// (<c>run.yaml: iterations</c>) or the command-line argument (<c>--set iterations=ten</c>). The JSON model reader
/// words its type errors the same way through <see cref="Mismatch"/>.
/// </summary>
public static class ConfigValues
{
    /// <summary>
    /// <paramref name="raw"/> as a value of <paramref name="target"/> (int, long, ulong, double, bool, string, their
    /// nullable forms, and arrays of them); throws <see cref="InvalidDataException"/> naming <paramref name="where"/>.
    /// </summary>
    public static object? Convert(object? raw, Type target, string where)
    {
        var underlying = Nullable.GetUnderlyingType(target);
        if (raw is null)
            return underlying is not null || !target.IsValueType ? null : throw Mismatch(where, Expected(target), "nothing (null)");
        var type = underlying ?? target;
        if (type.IsArray)
        {
            var element = type.GetElementType()!;
            if (raw is not IList list || raw is string) throw Mismatch(where, Expected(type), Describe(raw));
            var array = Array.CreateInstance(element, list.Count);
            for (int i = 0; i < list.Count; i++)
                array.SetValue(Convert(list[i], element, string.Create(CultureInfo.InvariantCulture, $"{where}[{i}]")), i);
            return array;
        }
        if (raw.GetType() == type) return raw;   // already typed (a caller passing real values)
        if (raw is not string text) throw Mismatch(where, Expected(type), Describe(raw));
        string t = text.Trim();
        object? value = type switch
        {
            _ when type == typeof(string) => text,
            _ when type == typeof(int) => long.TryParse(Digits(t), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long i) && i is >= int.MinValue and <= int.MaxValue ? (int)i : null,
            _ when type == typeof(long) => long.TryParse(Digits(t), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l) ? l : null,
            _ when type == typeof(ulong) => ulong.TryParse(Digits(t), NumberStyles.None, CultureInfo.InvariantCulture, out ulong u) ? u : null,
            _ when type == typeof(double) => double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) ? d : null,
            _ when type == typeof(bool) => t.ToLowerInvariant() switch
            {
                "true" or "yes" or "on" => true,
                "false" or "no" or "off" => false,
                _ => null,
            },
            _ => throw new NotSupportedException($"{where}: settings of type {type.Name} are not supported by ConfigValues"),
        };
        return value ?? throw Mismatch(where, Expected(type), Describe(raw));
    }

    /// <summary>The error for a value of the wrong kind: <c>"{where}: expected {expected}, got {got}"</c>.</summary>
    public static InvalidDataException Mismatch(string where, string expected, string got) =>
        new($"{where}: expected {expected}, got {got}");

    /// <summary>How a type is named in errors ("an integer", "a list of numbers", ...).</summary>
    public static string Expected(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type.IsArray) return "a list of " + Plural(type.GetElementType()!);
        return type switch
        {
            _ when type == typeof(int) || type == typeof(long) => "an integer",
            _ when type == typeof(ulong) => "a whole number >= 0",
            _ when type == typeof(double) => "a number",
            _ when type == typeof(bool) => "true or false",
            _ when type == typeof(string) => "a single value",
            _ => type.Name,
        };
    }

    /// <summary>A raw value as errors show it: <c>'ten'</c>, <c>a sequence</c>, <c>a mapping</c>.</summary>
    public static string Describe(object? raw) => raw switch
    {
        null => "nothing (null)",
        string s => $"'{s}'",
        IDictionary => "a mapping",
        IList => "a sequence",
        IFormattable f => $"'{f.ToString(null, CultureInfo.InvariantCulture)}'",
        _ => $"'{raw}'",
    };

    static string Plural(Type element) => Expected(element) switch
    {
        "an integer" => "integers",
        "a whole number >= 0" => "whole numbers >= 0",
        "a number" => "numbers",
        "true or false" => "true/false values",
        "a single value" => "values",
        var other => other,
    };

    // YAML allows 1_000 in integers.
    static string Digits(string s) => s.Replace("_", "", StringComparison.Ordinal);
}
