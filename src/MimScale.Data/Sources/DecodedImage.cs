using System.Buffers;

namespace MimScale.Data.Sources;

/// <summary>
/// A decoded 8-bit image, row-major interleaved. <see cref="Channels"/> is 1 (grayscale, replicated to RGB by the
/// transforms) or 4 (R,G,B,X: the fourth byte is ignored, so RGBA converts to RGB by dropping alpha as PIL's
/// <c>convert("RGB")</c> does). Owns a pooled buffer when decoded from a file: dispose it.
/// </summary>
public sealed class DecodedImage : IDisposable
{
    private byte[]? buffer;
    private readonly int offset;
    private readonly bool pooled;

    /// <summary>Width in pixels.</summary>
    public int Width { get; }
    /// <summary>Height in pixels.</summary>
    public int Height { get; }
    /// <summary>Bytes per pixel: 1 or 4.</summary>
    public int Channels { get; }

    internal DecodedImage(byte[] buffer, int offset, int width, int height, int channels, bool pooled)
    {
        if (channels is not (1 or 4)) throw new ArgumentOutOfRangeException(nameof(channels), channels, "1 or 4.");
        this.buffer = buffer;
        this.offset = offset;
        this.pooled = pooled;
        Width = width;
        Height = height;
        Channels = channels;
    }

    /// <summary>Wraps caller-owned pixels (not returned to any pool).</summary>
    public static DecodedImage Wrap(byte[] pixels, int width, int height, int channels, int offset = 0)
    {
        if (pixels.Length - offset < (long)width * height * channels)
            throw new ArgumentException("Pixel buffer shorter than width*height*channels.", nameof(pixels));
        return new DecodedImage(pixels, offset, width, height, channels, pooled: false);
    }

    /// <summary>An image whose buffer comes from the shared pool (returned on dispose).</summary>
    internal static DecodedImage Rent(int width, int height, int channels)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(width * height * channels);
        return new DecodedImage(buffer, 0, width, height, channels, pooled: true);
    }

    /// <summary>The pixels, Height*Width*Channels bytes.</summary>
    public ReadOnlySpan<byte> Pixels => new(Buffer, offset, Width * Height * Channels);

    internal Span<byte> WritablePixels => new(Buffer, offset, Width * Height * Channels);

    internal byte[] Buffer => buffer ?? throw new ObjectDisposedException(nameof(DecodedImage));
    internal int Offset => offset;

    /// <summary>Returns the pooled buffer.</summary>
    public void Dispose()
    {
        var b = Interlocked.Exchange(ref buffer, null);
        if (b is not null && pooled) ArrayPool<byte>.Shared.Return(b);
    }
}
