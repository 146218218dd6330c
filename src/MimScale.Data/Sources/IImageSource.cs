namespace MimScale.Data.Sources;

/// <summary>
/// An indexed, labelled collection of images, decoded on demand (file sources never hold pixels in memory; the IDX
/// source does). Implementations are safe to read from several threads at once.
/// </summary>
public interface IImageSource
{
    /// <summary>Number of images.</summary>
    int Count { get; }

    /// <summary>Class names; label <c>k</c> is <c>ClassNames[k]</c>. Unlabelled sources have none.</summary>
    IReadOnlyList<string> ClassNames { get; }

    /// <summary>Label of image <paramref name="index"/>, or -1 when the source is unlabelled.</summary>
    int GetLabel(int index);

    /// <summary>Stable id of the image: path relative to the source root (with '/') or an IDX id such as <c>train/000123</c>.</summary>
    string GetId(int index);

    /// <summary>Where the image comes from, for error messages (full path, or IDX file plus record).</summary>
    string Describe(int index);

    /// <summary>Decodes image <paramref name="index"/>; throws <see cref="Errors.ImageDecodeException"/> naming the file.</summary>
    DecodedImage Load(int index);

    /// <summary>Short description of the source (kind and root) recorded in manifests.</summary>
    string Description { get; }
}
