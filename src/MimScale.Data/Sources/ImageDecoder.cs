using System.Buffers;
using MimScale.Data.Errors;
using SkiaSharp;

namespace MimScale.Data.Sources;

/// <summary>
/// Decodes JPEG/PNG (and whatever else Skia reads) files to 8-bit RGBX with SkiaSharp. Colour handling follows PIL's
/// <c>Image.open(f).convert("RGB")</c> as torchvision's ImageFolder uses it: grayscale is replicated, alpha is dropped
/// (not composited), CMYK JPEGs are converted by the codec, no ICC colour management (null destination colour space)
/// and no EXIF rotation. Every failure is an <see cref="ImageDecodeException"/> naming the file.
/// </summary>
public static class ImageDecoder
{
    /// <summary>Reads and decodes <paramref name="path"/> into a pooled 4-channel image.</summary>
    public static DecodedImage DecodeFile(string path, ImageDecodeOptions? options = null)
    {
        options ??= ImageDecodeOptions.Default;
        byte[] bytes;
        int length;
        try
        {
            using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            long size = fs.Length;
            if (size == 0) throw new ImageDecodeException(path, "zero-byte file");
            if (size > options.MaxFileBytes)
                throw new ImageDecodeException(path, $"file of {size} bytes exceeds the {options.MaxFileBytes}-byte limit");
            length = (int)size;
            bytes = ArrayPool<byte>.Shared.Rent(length);
            int read = 0;
            while (read < length)
            {
                int n = fs.Read(bytes, read, length - read);
                if (n == 0) break;
                read += n;
            }
            length = read;
        }
        catch (ImageDecodeException) { throw; }
        catch (FileNotFoundException e) { throw new ImageDecodeException(path, "file not found", e); }
        catch (DirectoryNotFoundException e) { throw new ImageDecodeException(path, "file not found", e); }
        catch (UnauthorizedAccessException e) { throw new ImageDecodeException(path, "permission denied (unreadable)", e); }
        catch (IOException e) { throw new ImageDecodeException(path, $"read error: {e.Message}", e); }

        try
        {
            return DecodeBytes(bytes.AsSpan(0, length), path, options);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    /// <summary>Decodes encoded image bytes; <paramref name="name"/> is used in error messages.</summary>
    public static unsafe DecodedImage DecodeBytes(ReadOnlySpan<byte> encoded, string name, ImageDecodeOptions? options = null)
    {
        options ??= ImageDecodeOptions.Default;
        if (encoded.Length == 0) throw new ImageDecodeException(name, "zero-byte file");
        using var data = SKData.CreateCopy(encoded);
        using var codec = SKCodec.Create(data);
        if (codec is null) throw new ImageDecodeException(name, "not a decodable image (unknown or corrupt format)");
        var info = codec.Info;
        long pixels = (long)info.Width * info.Height;
        if (info.Width <= 0 || info.Height <= 0) throw new ImageDecodeException(name, "image has no pixels");
        if (pixels > options.MaxPixels)
            throw new ImageDecodeException(name,
                $"image of {info.Width}x{info.Height} = {pixels} pixels exceeds the limit of {options.MaxPixels} pixels");

        // Unpremultiplied RGBA, no colour space: raw stored colours, alpha ignored downstream.
        var dst = new SKImageInfo(info.Width, info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var image = DecodedImage.Rent(info.Width, info.Height, 4);
        SKCodecResult result;
        fixed (byte* p = image.Buffer)
        {
            result = codec.GetPixels(dst, (IntPtr)p);
        }
        if (result != SKCodecResult.Success)
        {
            image.Dispose();
            string reason = result switch
            {
                SKCodecResult.IncompleteInput => "truncated image data",
                SKCodecResult.ErrorInInput => "corrupt image data",
                _ => $"decode failed ({result})",
            };
            throw new ImageDecodeException(name, reason);
        }
        return image;
    }
}
