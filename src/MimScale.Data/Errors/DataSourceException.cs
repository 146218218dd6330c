namespace MimScale.Data.Errors;

/// <summary>
/// A data source as a whole cannot be used: missing or empty folder, empty class, unreadable list file, corrupted
/// IDX header, manifest/source mismatch. Always names the offending file or folder in <see cref="Path"/>.
/// </summary>
public class DataSourceException : Exception
{
    /// <summary>The file or folder at fault.</summary>
    public string Path { get; }

    public DataSourceException(string path, string problem, Exception? inner = null)
        : base($"{path}: {problem}", inner) => Path = path;
}

/// <summary>
/// One image cannot be decoded: zero-byte, truncated, not an image, unreadable, or above the pixel limit.
/// Inside a loader the <see cref="BadImagePolicy"/> decides whether this stops the run or is skipped and reported.
/// </summary>
public sealed class ImageDecodeException : DataSourceException
{
    /// <summary>Short machine-friendly reason (e.g. "zero-byte file", "truncated").</summary>
    public string Reason { get; }

    public ImageDecodeException(string path, string reason, Exception? inner = null)
        : base(path, reason, inner) => Reason = reason;
}

/// <summary>What a loader does when one image of a dataset cannot be decoded.</summary>
public enum BadImagePolicy
{
    /// <summary>
    /// Default: record the image in the <see cref="BadImageReport"/> and substitute the next good image of the source
    /// (index i+1, i+2, ... wrapping), with the same random draws, so batch shapes and the stream stay deterministic.
    /// </summary>
    Skip,
    /// <summary>Throw the <see cref="ImageDecodeException"/> (stops the run).</summary>
    Throw,
}
