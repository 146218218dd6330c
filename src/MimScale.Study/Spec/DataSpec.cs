using System.Globalization;

namespace MimScale.Study;

/// <summary>How a data variant is cut from the source.</summary>
public enum DataVariantKind
{
    /// <summary>A class-balanced fraction of every class (the paper's IN-1K 10/20/50/100%); nested across fractions.</summary>
    Fraction,
    /// <summary>All images of k random classes (the paper's IN100 comparison).</summary>
    Classes,
}

/// <summary>One point of the data axis.</summary>
/// <param name="Kind">Fraction or class subset.</param>
/// <param name="Fraction">The fraction in (0, 1] for <see cref="DataVariantKind.Fraction"/>.</param>
/// <param name="Classes">The class count for <see cref="DataVariantKind.Classes"/>.</param>
public sealed record DataVariant(DataVariantKind Kind, double? Fraction, int? Classes)
{
    /// <summary>A class-balanced fraction.</summary>
    public static DataVariant OfFraction(double fraction) => new(DataVariantKind.Fraction, fraction, null);

    /// <summary>A random class subset.</summary>
    public static DataVariant OfClasses(int classes) => new(DataVariantKind.Classes, null, classes);

    /// <summary>Label suffix: "10%", "100%", "3 classes".</summary>
    public string Describe() => Kind == DataVariantKind.Fraction
        ? (100 * Fraction!.Value).ToString("0.###", CultureInfo.InvariantCulture) + "%"
        : $"{Classes} classes";

    /// <summary>File-name-safe short form: "f0.1", "f1", "c3".</summary>
    public string Slug => Kind == DataVariantKind.Fraction
        ? "f" + Fraction!.Value.ToString("0.######", CultureInfo.InvariantCulture)
        : "c" + Classes!.Value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>The spec's <c>data:</c> section.</summary>
/// <param name="Name">Label prefix of every variant (e.g. "Fashion-MNIST" gives "Fashion-MNIST 10%").</param>
/// <param name="Source">Pre-training source, in <c>MimScale.Data.Sources.ImageSources.Open</c> syntax.</param>
/// <param name="ValSource">Held-out source of the validation loss (and the test set of the evaluations).</param>
/// <param name="EvalSource">Labelled training source of the evaluations (fine-tune, linear probe, k-NN); the paper
/// fine-tunes on the full IN-1K whatever the pre-training subset.</param>
/// <param name="SubsetSeed">Seed of the subset draws.</param>
/// <param name="Variants">Fractions, then class subsets, in spec order.</param>
public sealed record DataSpec(string Name, string Source, string ValSource, string EvalSource, ulong SubsetSeed, IReadOnlyList<DataVariant> Variants)
{
    /// <summary>Human label of a variant, e.g. "Fashion-MNIST 10%".</summary>
    public string Label(DataVariant variant) => $"{Name} {variant.Describe()}";
}
