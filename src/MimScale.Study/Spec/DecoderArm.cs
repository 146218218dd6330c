using System.Globalization;

namespace MimScale.Study.Spec;

/// <summary>A decoder of the decoder-size arm: the official linear head, or k SwinV2 blocks before it.</summary>
/// <param name="Kind">"linear" or "transformer" (the engine's <c>decoder</c> key).</param>
/// <param name="Depth">Blocks of a transformer decoder (the engine's <c>decoder_depth</c>); 0 for linear.</param>
public sealed record DecoderVariant(string Kind, int Depth)
{
    /// <summary>"linear" or "transformer-k": the spelling in specs, tables and results.</summary>
    public string Label => Kind == "linear" ? "linear" : $"transformer-{Depth.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Short key segment: "dec-lin", "dec-t2".</summary>
    public string Slug => Kind == "linear" ? "dec-lin" : $"dec-t{Depth.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Parses "linear" or "transformer-k" (k >= 1), or returns null.</summary>
    public static DecoderVariant? Parse(string text)
    {
        var t = text.Trim().ToLowerInvariant();
        if (t == "linear") return new DecoderVariant("linear", 0);
        const string prefix = "transformer-";
        return t.StartsWith(prefix, StringComparison.Ordinal) && int.TryParse(t.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int k) && k >= 1
            ? new DecoderVariant("transformer", k) : null;
    }

    /// <summary>The pre-training recipe with this decoder set (<c>decoder</c>, and <c>decoder_depth</c> for a transformer).</summary>
    public RecipeMap Apply(RecipeMap recipe)
    {
        var r = recipe.With("decoder", Kind);
        return Kind == "linear" ? r : r.With("decoder_depth", Depth.ToString(CultureInfo.InvariantCulture));
    }
}

/// <summary>
/// The spec's <c>decoder_arm:</c> section, the decoder-size study (paper Table 8): extra cells that repeat main-grid
/// cells with another decoder. A decoder equal to the main recipe's is the main cell itself (no extra run); the report
/// compares every decoder with it. The arm's cells are kept out of the data-scaling grid and findings 1-3.
/// </summary>
/// <param name="Decoders">Decoders to compare with the main recipe's (spec order).</param>
/// <param name="Models">Models of the arm (a subset of the study's models; default all).</param>
/// <param name="Variants">Data variants of the arm (class-balanced fractions of the study; default all its fractions).</param>
public sealed record DecoderArm(IReadOnlyList<DecoderVariant> Decoders, IReadOnlyList<string> Models, IReadOnlyList<DataVariant> Variants);
