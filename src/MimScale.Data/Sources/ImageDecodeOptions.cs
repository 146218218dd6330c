namespace MimScale.Data.Sources;

/// <summary>Limits applied before decoding a file.</summary>
/// <param name="MaxPixels">
/// Largest width*height decoded. Default 89,478,485 = Pillow's decompression-bomb threshold (MAX_IMAGE_PIXELS), so any
/// image PIL opens without warning decodes here too; larger images are rejected before any pixel memory is allocated.
/// </param>
/// <param name="MaxFileBytes">Largest file size read (default 256 MiB).</param>
public sealed record ImageDecodeOptions(long MaxPixels = 89_478_485, long MaxFileBytes = 256L << 20)
{
    /// <summary>The defaults.</summary>
    public static ImageDecodeOptions Default { get; } = new();
}
