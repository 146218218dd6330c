using MimScale.Study.Spec;

namespace MimScale.Study.Planning;

/// <summary>
/// The data of one cell, resolved: which source, which subset, and (when the source could be read) the subset's
/// manifest with its SHA-256, which enters the cell key so that a changed source never mixes with old results.
/// </summary>
/// <param name="Label">Human label, e.g. "Fashion-MNIST 10%" (the analysis groups runs by it).</param>
/// <param name="Variant">Fraction or class subset.</param>
/// <param name="Source">Pre-training source spec (all images; the manifest selects the subset).</param>
/// <param name="ValSource">Validation-loss source spec.</param>
/// <param name="EvalSource">Labelled training source of the evaluations.</param>
/// <param name="SubsetSeed">Seed of the subset draw.</param>
/// <param name="ManifestHash">SHA-256 of the subset manifest, or null when the source was not read (plan without data).</param>
/// <param name="ImageCount">Images in the subset, when known.</param>
/// <param name="ManifestPath">The manifest file in the study folder, or null when not written.</param>
public sealed record DataPlan(
    string Label,
    DataVariant Variant,
    string Source,
    string ValSource,
    string EvalSource,
    ulong SubsetSeed,
    string? ManifestHash,
    int? ImageCount,
    string? ManifestPath)
{
    /// <summary>
    /// The source spec the engine opens for pre-training: <c>manifest:FILE@SOURCE</c> when the manifest was written,
    /// else the bare source (then the engine must draw the subset itself with <c>SubsetSampler</c> and <see cref="SubsetSeed"/>).
    /// </summary>
    public string PretrainSourceSpec => ManifestPath is null ? Source : $"manifest:{ManifestPath}@{Source}";

    /// <summary>
    /// Fraction of the base set (the analysis's DataFraction): null for class subsets and for other data sets, which are
    /// no fraction of it (the analysis places them on the data axis by image count).
    /// </summary>
    public double? Fraction => Variant.SourceName is null ? Variant.Fraction : null;

    /// <summary>Fraction of <see cref="Source"/> the variant draws (what the engine samples without a manifest).</summary>
    public double? SubsetFraction => Variant.Fraction;
}
