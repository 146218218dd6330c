using MimScale.Data.Errors;
using MimScale.Data.Subsets;

namespace MimScale.Data.Sources;

/// <summary>A view of some images of a base source (e.g. the images a manifest lists), same ids and labels.</summary>
public sealed class SubsetSource : IImageSource
{
    private readonly IImageSource baseSource;
    private readonly int[] indices;

    /// <summary>Images <paramref name="indices"/> of <paramref name="baseSource"/>, in that order.</summary>
    public SubsetSource(IImageSource baseSource, IReadOnlyList<int> indices, string description)
    {
        this.baseSource = baseSource;
        this.indices = indices.ToArray();
        foreach (var i in this.indices)
            if ((uint)i >= (uint)baseSource.Count) throw new ArgumentOutOfRangeException(nameof(indices), i, "index outside the base source");
        Description = description;
    }

    /// <summary>
    /// The manifest's images, looked up by id in <paramref name="baseSource"/> (manifest order = sorted ids). An id
    /// missing from the source or with a different label throws, naming <paramref name="manifestName"/>.
    /// </summary>
    public static SubsetSource FromManifest(IImageSource baseSource, Manifest manifest, string manifestName = "manifest")
    {
        var byId = new Dictionary<string, int>(baseSource.Count, StringComparer.Ordinal);
        for (int i = 0; i < baseSource.Count; i++) byId[baseSource.GetId(i)] = i;
        var indices = new int[manifest.Count];
        for (int k = 0; k < manifest.Count; k++)
        {
            var e = manifest.Entries[k];
            if (!byId.TryGetValue(e.Id, out int idx))
                throw new DataSourceException(manifestName, $"entry '{e.Id}' is not in source {baseSource.Description}");
            if (baseSource.GetLabel(idx) != e.Label)
                throw new DataSourceException(manifestName, $"entry '{e.Id}' has label {e.Label} but the source says {baseSource.GetLabel(idx)}");
            indices[k] = idx;
        }
        return new SubsetSource(baseSource, indices, $"{baseSource.Description} subset {manifest.Hash[..12]}");
    }

    /// <inheritdoc />
    public int Count => indices.Length;
    /// <inheritdoc />
    public IReadOnlyList<string> ClassNames => baseSource.ClassNames;
    /// <inheritdoc />
    public string Description { get; }
    /// <summary>Index in the base source of image <paramref name="index"/>.</summary>
    public int BaseIndex(int index) => indices[index];
    /// <inheritdoc />
    public int GetLabel(int index) => baseSource.GetLabel(indices[index]);
    /// <inheritdoc />
    public string GetId(int index) => baseSource.GetId(indices[index]);
    /// <inheritdoc />
    public string Describe(int index) => baseSource.Describe(indices[index]);
    /// <inheritdoc />
    public DecodedImage Load(int index) => baseSource.Load(indices[index]);
}
