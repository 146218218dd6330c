using System.Globalization;
using System.Text.Json;

namespace MimScale.Data.Loading;

/// <summary>
/// Where a data stream stands: the next batch to be produced is batch <see cref="BatchIndex"/> of epoch
/// <see cref="Epoch"/>. Together with the loader's seed, rank and world size it fixes every following batch, so a
/// run restored from it sees exactly the batches the uninterrupted run would have seen.
/// </summary>
public readonly record struct LoaderPosition(int Epoch, int BatchIndex)
{
    /// <summary>The start of the stream.</summary>
    public static LoaderPosition Start => new(0, 0);

    /// <summary>Compact JSON, e.g. <c>{"epoch":3,"batch":17}</c>.</summary>
    public string ToJson() => string.Create(CultureInfo.InvariantCulture, $"{{\"epoch\":{Epoch},\"batch\":{BatchIndex}}}");

    /// <summary>Parses <see cref="ToJson"/>'s output.</summary>
    public static LoaderPosition FromJson(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        if (!root.TryGetProperty("epoch", out var e) || !root.TryGetProperty("batch", out var b))
            throw new FormatException($"loader position '{json}' lacks 'epoch' or 'batch'");
        var p = new LoaderPosition(e.GetInt32(), b.GetInt32());
        if (p.Epoch < 0 || p.BatchIndex < 0) throw new FormatException($"loader position '{json}' is negative");
        return p;
    }

    /// <inheritdoc />
    public override string ToString() => $"epoch {Epoch}, batch {BatchIndex}";
}
