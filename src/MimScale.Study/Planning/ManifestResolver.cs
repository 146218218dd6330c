using MimScale.Data.Sources;
using MimScale.Data.Subsets;
using MimScale.Files;
using MimScale.Study.Spec;

namespace MimScale.Study.Planning;

/// <summary>
/// Draws each data variant's manifest (nested class-balanced fractions and random class subsets, with
/// <c>SubsetSampler</c>) so the planner can put the manifest hash into the cell keys, and optionally writes the
/// manifests into the study folder (<c>data/SLUG-HASH12.manifest.tsv</c>; content-addressed, never overwritten) for
/// the engine to read. Sources are opened once and kept for the resolver's lifetime.
/// </summary>
public sealed class ManifestResolver
{
    private readonly Func<string, IImageSource> open;
    private readonly string? saveDir;
    private readonly Dictionary<string, IImageSource> sources = new(StringComparer.Ordinal);
    private readonly Dictionary<(string, ulong, DataVariant), Manifest> manifests = [];

    /// <param name="saveDir">Folder to write manifests into, or null to only compute hashes.</param>
    /// <param name="open">Opens a source spec (default <see cref="ImageSources.Open"/>); tests pass in-memory sources.</param>
    public ManifestResolver(string? saveDir, Func<string, IImageSource>? open = null)
    {
        this.saveDir = saveDir;
        this.open = open ?? (spec => ImageSources.Open(spec));
    }

    /// <summary>The variant's data with manifest hash, image count and (when saving) the manifest path.</summary>
    public DataPlan Resolve(DataSpec data, DataVariant variant)
    {
        var manifest = ManifestOf(data, variant);
        string? path = null;
        if (saveDir is not null)
        {
            path = Path.GetFullPath(Path.Combine(saveDir, $"{variant.Slug}-seed{data.SubsetSeed}-{manifest.Hash[..12]}.manifest.tsv"));
            if (!File.Exists(path))
            {
                manifest.Save(path);
            }
        }
        return Unresolved(data, variant) with { ManifestHash = manifest.Hash, ImageCount = manifest.Count, ManifestPath = path };
    }

    /// <summary>The variant's data without reading the source (hash and count unknown).</summary>
    public static DataPlan Unresolved(DataSpec data, DataVariant variant) =>
        new(data.Label(variant), variant, data.SourceOf(variant), data.ValSource, data.EvalSource, data.SubsetSeed, null, null, null);

    private Manifest ManifestOf(DataSpec data, DataVariant variant)
    {
        string spec = data.SourceOf(variant);
        var key = (spec, data.SubsetSeed, variant);
        if (manifests.TryGetValue(key, out var m)) return m;
        if (!sources.TryGetValue(spec, out var source)) sources[spec] = source = open(spec);
        if (variant.Kind == DataVariantKind.Fraction)
        {
            // All fractions of one source in one draw: the sampler makes them nested (smaller inside larger).
            var fractions = data.Variants.Where(v => v.Kind == DataVariantKind.Fraction && v.SourceName == variant.SourceName).ToList();
            var drawn = SubsetSampler.ClassBalancedFractions(source, fractions.Select(v => v.Fraction!.Value).ToList(), data.SubsetSeed);
            for (int i = 0; i < fractions.Count; i++) manifests[(spec, data.SubsetSeed, fractions[i])] = drawn[i];
        }
        else manifests[key] = SubsetSampler.ClassSubset(source, variant.Classes!.Value, data.SubsetSeed);
        return manifests[key];
    }
}
