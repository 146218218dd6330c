using System.Globalization;

namespace MimScale.Study.Spec;

/// <summary>How a data variant is cut from the source.</summary>
public enum DataVariantKind
{
    /// <summary>A class-balanced fraction of every class (the paper's IN-1K 10/20/50/100%); nested across fractions.</summary>
    Fraction,
    /// <summary>All images of k random classes (the paper's IN100 comparison).</summary>
    Classes,
    /// <summary>No pre-training data at all: the scratch reference (<see cref="DataVariant.None"/>).</summary>
    None,
}

/// <summary>One point of the data axis.</summary>
/// <param name="Kind">Fraction or class subset.</param>
/// <param name="Fraction">The fraction in (0, 1] for <see cref="DataVariantKind.Fraction"/>.</param>
/// <param name="Classes">The class count for <see cref="DataVariantKind.Classes"/>.</param>
/// <param name="SourceName">Name of the <see cref="NamedSource"/> it is cut from; null = the base source (every variant of
/// a spec without <c>other_sources</c>, so their slugs and keys are those of a single-source spec).</param>
public sealed record DataVariant(DataVariantKind Kind, double? Fraction, int? Classes, string? SourceName = null)
{
    /// <summary>A class-balanced fraction (of another data set when <paramref name="sourceName"/> is given).</summary>
    public static DataVariant OfFraction(double fraction, string? sourceName = null) => new(DataVariantKind.Fraction, fraction, null, sourceName);

    /// <summary>A random class subset.</summary>
    public static DataVariant OfClasses(int classes) => new(DataVariantKind.Classes, null, classes);

    /// <summary>No pre-training data: the variant of a scratch reference, never a point of the data axis.</summary>
    public static DataVariant None { get; } = new(DataVariantKind.None, null, null);

    /// <summary>Label suffix: "10%", "100%", "3 classes", "none".</summary>
    public string Describe() => Kind switch
    {
        DataVariantKind.Fraction => (100 * Fraction!.Value).ToString("0.###", CultureInfo.InvariantCulture) + "%",
        DataVariantKind.Classes => $"{Classes} classes",
        _ => "none",
    };

    /// <summary>File-name-safe short form: "f0.1", "f1", "c3", "scratch"; prefixed with the source for other data sets: "imagenet-22k-f1".</summary>
    public string Slug
    {
        get
        {
            string own = Kind switch
            {
                DataVariantKind.Fraction => "f" + Fraction!.Value.ToString("0.######", CultureInfo.InvariantCulture),
                DataVariantKind.Classes => "c" + Classes!.Value.ToString(CultureInfo.InvariantCulture),
                _ => "scratch",
            };
            if (SourceName is null) return own;
            var safe = new string(SourceName.ToLowerInvariant().Select(ch => char.IsAsciiLetterOrDigit(ch) || ch is '.' or '-' ? ch : '-').ToArray());
            return $"{safe}-{own}";
        }
    }
}

/// <summary>The spec's <c>data:</c> section.</summary>
/// <param name="Name">Label prefix of every variant of the base source (e.g. "Fashion-MNIST" gives "Fashion-MNIST 10%").</param>
/// <param name="Source">Pre-training source (the base set), in <c>MimScale.Data.Sources.ImageSources.Open</c> syntax.</param>
/// <param name="ValSource">Held-out source of the validation loss (and the test set of the evaluations), for every variant.</param>
/// <param name="EvalSource">Labelled training source of the evaluations (fine-tune, linear probe, k-NN); the paper
/// fine-tunes on the full IN-1K whatever the pre-training subset.</param>
/// <param name="SubsetSeed">Seed of the subset draws.</param>
/// <param name="Variants">Fractions, then class subsets of the base source, then the other sources' fractions, in spec order.</param>
public sealed record DataSpec(string Name, string Source, string ValSource, string EvalSource, ulong SubsetSeed, IReadOnlyList<DataVariant> Variants)
{
    /// <summary>Other data sets on the same data axis (<c>data.other_sources</c>), e.g. ImageNet-22K; empty by default.</summary>
    public IReadOnlyList<NamedSource> OtherSources { get; init; } = [];

    /// <summary>
    /// Human label of a variant: "Fashion-MNIST 10%"; an other data set by its name when used whole ("ImageNet-22K", as
    /// the paper and the released runs name it), else "ImageNet-22K 10%".
    /// </summary>
    public string Label(DataVariant variant) => variant.SourceName is not string other ? $"{Name} {variant.Describe()}"
        : variant.Kind == DataVariantKind.Fraction && variant.Fraction == 1.0 ? other
        : $"{other} {variant.Describe()}";

    /// <summary>The pre-training source spec a variant is cut from.</summary>
    public string SourceOf(DataVariant variant) => variant.SourceName is not string other ? Source
        : OtherSources.FirstOrDefault(s => s.Name == other)?.Source
          ?? throw new ArgumentException($"data variant {variant.Slug} names the source '{other}', which is not in other_sources");
}
