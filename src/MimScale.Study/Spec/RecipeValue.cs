using System.Globalization;

namespace MimScale.Study.Spec;

/// <summary>
/// One value of a <see cref="RecipeMap"/>: a scalar or a list of scalars, each held as canonical text. Unquoted numbers
/// are rewritten in shortest round-trip form (so <c>4e-4</c> and <c>0.0004</c> are the same value and hash the same);
/// unquoted booleans become <c>true</c>/<c>false</c>; everything else is kept verbatim.
/// </summary>
/// <param name="Items">The scalar (one item) or the list items.</param>
/// <param name="IsList">True when the YAML value was a sequence (even of one item).</param>
public sealed record RecipeValue(IReadOnlyList<string> Items, bool IsList)
{
    /// <summary>A scalar value from YAML text; <paramref name="quoted"/> scalars are never normalised.</summary>
    public static RecipeValue Scalar(string text, bool quoted = false) => new([quoted ? text : Canonical(text)], false);

    /// <summary>A list value from YAML texts (unquoted, normalised like scalars).</summary>
    public static RecipeValue List(IEnumerable<string> items) => new(items.Select(Canonical).ToArray(), true);

    /// <summary>Canonical text: <c>value</c> or <c>[a, b]</c>.</summary>
    public string Text => IsList ? "[" + string.Join(", ", Items) + "]" : Items[0];

    /// <summary>Structural equality (records compare list references otherwise).</summary>
    public bool Equals(RecipeValue? other) => other is not null && IsList == other.IsList && Items.SequenceEqual(other.Items);

    public override int GetHashCode() => HashCode.Combine(IsList, Text);

    /// <summary>Shortest round-trip form of numbers, lower-case booleans, other text unchanged.</summary>
    public static string Canonical(string text)
    {
        var t = text.Trim();
        if (t.Equals("true", StringComparison.OrdinalIgnoreCase)) return "true";
        if (t.Equals("false", StringComparison.OrdinalIgnoreCase)) return "false";
        // Only plain decimal/exponent numbers: "NaN", "Infinity" or hex stay text.
        if (t.Length > 0 && (char.IsAsciiDigit(t[0]) || t[0] is '-' or '+' or '.')
            && double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d))
            return d.ToString("R", CultureInfo.InvariantCulture);
        return t;
    }
}
