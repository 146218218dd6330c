using System.Globalization;
using MimScale.Data.Errors;

namespace MimScale.Data.Sources;

/// <summary>
/// An in-memory grayscale image set read from an IDX images file and an IDX labels file (MNIST, Fashion-MNIST).
/// Ids are <c>{split}/{index:D6}</c>, e.g. <c>train/000123</c>.
/// </summary>
public sealed class IdxSource : IImageSource
{
    private readonly byte[] pixels;
    private readonly byte[] labels;
    private readonly string imagesPath;

    /// <summary>Image height.</summary>
    public int Rows { get; }
    /// <summary>Image width.</summary>
    public int Cols { get; }
    /// <summary>Id prefix, e.g. "train" or "test".</summary>
    public string Split { get; }
    /// <inheritdoc />
    public int Count { get; }
    /// <inheritdoc />
    public IReadOnlyList<string> ClassNames { get; }
    /// <inheritdoc />
    public string Description { get; }

    /// <summary>Reads the two files; their counts must agree and every label must name a class.</summary>
    public IdxSource(string imagesPath, string labelsPath, string split, IReadOnlyList<string> classNames)
    {
        var (dims, pixels) = IdxReader.Read(imagesPath, expectedRank: 3);
        var (ldims, labels) = IdxReader.Read(labelsPath, expectedRank: 1);
        if (ldims[0] != dims[0])
            throw new DataSourceException(labelsPath, $"{ldims[0]} labels but {imagesPath} holds {dims[0]} images");
        for (int i = 0; i < labels.Length; i++)
            if (labels[i] >= classNames.Count)
                throw new DataSourceException(labelsPath, $"label {labels[i]} at record {i} is outside 0..{classNames.Count - 1}");
        this.pixels = pixels;
        this.labels = labels;
        this.imagesPath = imagesPath;
        Count = dims[0];
        Rows = dims[1];
        Cols = dims[2];
        Split = split;
        ClassNames = classNames.ToArray();
        Description = $"idx:{Path.GetFullPath(imagesPath)}";
    }

    /// <inheritdoc />
    public int GetLabel(int index) => labels[index];
    /// <inheritdoc />
    public string GetId(int index) => FormatId(Split, index);
    /// <summary>The id of record <paramref name="index"/> of <paramref name="split"/>.</summary>
    public static string FormatId(string split, int index) => $"{split}/{index.ToString("D6", CultureInfo.InvariantCulture)}";
    /// <inheritdoc />
    public string Describe(int index) => $"{imagesPath} record {index}";
    /// <summary>The raw bytes of image <paramref name="index"/> (Rows*Cols, row-major).</summary>
    public ReadOnlySpan<byte> Pixels(int index) => pixels.AsSpan(index * Rows * Cols, Rows * Cols);
    /// <inheritdoc />
    public DecodedImage Load(int index) => DecodedImage.Wrap(pixels, Cols, Rows, 1, index * Rows * Cols);
}
