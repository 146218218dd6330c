using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace MimScale.Dense.Segmentation;

/// <summary>
/// Reads PNG label maps exactly: the stored sample values, never colours. Skia (SkiaSharp 2+) has no indexed colour
/// type and always expands a palette PNG to RGB, which loses the class ids of ADE20K-style palette annotations; so
/// this is a small decoder for the label-map cases of the PNG spec (W3C PNG 2nd ed.): grayscale at 8 or 16 bits and
/// palette at 1/2/4/8 bits, non-interlaced, filters 0-4. The same values PIL gives for <c>np.array(Image.open(f))</c>
/// in modes L, I;16 and P. Every failure is an <see cref="InvalidDataException"/> naming the file.
/// </summary>
public static class LabelMapPngReader
{
    internal static readonly byte[] Signature = [137, 80, 78, 71, 13, 10, 26, 10];

    /// <summary>Reads the label map in <paramref name="path"/>.</summary>
    public static LabelMap Read(string path)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (FileNotFoundException) { throw new FileNotFoundException($"{path}: file not found", path); }
        catch (DirectoryNotFoundException) { throw new FileNotFoundException($"{path}: file not found", path); }
        return Decode(bytes, path);
    }

    /// <summary>Decodes PNG bytes; <paramref name="name"/> is used in error messages.</summary>
    public static LabelMap Decode(ReadOnlySpan<byte> png, string name)
    {
        if (png.Length < 8 || !png[..8].SequenceEqual(Signature)) throw Bad(name, "not a PNG file (bad signature)");
        int pos = 8, width = 0, height = 0, depth = 0, colorType = -1;
        bool sawHeader = false, sawEnd = false, sawPalette = false;
        using var idat = new MemoryStream();
        while (pos < png.Length && !sawEnd)
        {
            if (png.Length - pos < 12) throw Bad(name, "truncated chunk header");
            uint length = BinaryPrimitives.ReadUInt32BigEndian(png[pos..]);
            if (length > int.MaxValue || png.Length - pos - 12 < length) throw Bad(name, "truncated chunk");
            var type = png.Slice(pos + 4, 4);
            var data = png.Slice(pos + 8, (int)length);
            uint crc = BinaryPrimitives.ReadUInt32BigEndian(png[(pos + 8 + (int)length)..]);
            string typeName = Encoding.ASCII.GetString(type);
            if (PngCrc.Compute(type, data) != crc) throw Bad(name, $"CRC mismatch in chunk {typeName} (corrupt file)");
            pos += 12 + (int)length;
            switch (typeName)
            {
                case "IHDR":
                    if (length != 13) throw Bad(name, "IHDR chunk of wrong length");
                    width = BinaryPrimitives.ReadInt32BigEndian(data);
                    height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                    depth = data[8];
                    colorType = data[9];
                    if (data[10] != 0 || data[11] != 0) throw Bad(name, "unknown compression or filter method");
                    if (data[12] != 0) throw Bad(name, "Adam7-interlaced PNG is not supported for label maps; save it without interlacing");
                    CheckFormat(name, colorType, depth);
                    if (width <= 0 || height <= 0) throw Bad(name, $"image has no pixels ({width}x{height})");
                    sawHeader = true;
                    break;
                case "PLTE": sawPalette = true; break;
                case "IDAT":
                    if (!sawHeader) throw Bad(name, "IDAT before IHDR");
                    idat.Write(data);
                    break;
                case "IEND": sawEnd = true; break;
            }
        }
        if (!sawHeader) throw Bad(name, "no IHDR chunk");
        if (colorType == 3 && !sawPalette) throw Bad(name, "palette PNG without a PLTE chunk");
        if (idat.Length == 0) throw Bad(name, "no image data (IDAT)");
        return Unpack(name, Inflate(name, idat, width, height, depth), width, height, depth);
    }

    private static void CheckFormat(string name, int colorType, int depth)
    {
        switch (colorType)
        {
            case 0 when depth is 8 or 16: return;
            case 3 when depth is 1 or 2 or 4 or 8: return;
            case 0: throw Bad(name, $"{depth}-bit grayscale is not supported for label maps (8 or 16 bits)");
            case 2 or 6: throw Bad(name, $"colour type {colorType} ({(colorType == 2 ? "RGB" : "RGBA")}): a label map must be grayscale or palette, one class id per pixel");
            case 4: throw Bad(name, "grayscale+alpha PNG: a label map must be grayscale or palette without alpha");
            default: throw Bad(name, $"invalid colour type {colorType} / bit depth {depth}");
        }
    }

    /// <summary>Inflates the zlib stream and undoes the per-row filters; returns height rows of packed samples.</summary>
    private static byte[] Inflate(string name, MemoryStream idat, int width, int height, int depth)
    {
        int rowBytes = checked((width * depth + 7) / 8);
        int bpp = Math.Max(1, depth / 8); // bytes per complete pixel, the filters' "a" distance
        var raw = new byte[checked((rowBytes + 1) * height)];
        idat.Position = 0;
        try
        {
            using var z = new ZLibStream(idat, CompressionMode.Decompress);
            int read = 0;
            while (read < raw.Length)
            {
                int n = z.Read(raw, read, raw.Length - read);
                if (n == 0) throw Bad(name, $"truncated image data ({read} of {raw.Length} bytes)");
                read += n;
            }
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith(name, StringComparison.Ordinal))
        {
            throw Bad(name, $"corrupt zlib stream: {e.Message}");
        }
        var rows = new byte[rowBytes * height];
        for (int y = 0; y < height; y++)
        {
            int filter = raw[y * (rowBytes + 1)];
            var src = raw.AsSpan(y * (rowBytes + 1) + 1, rowBytes);
            var cur = rows.AsSpan(y * rowBytes, rowBytes);
            var prev = y > 0 ? rows.AsSpan((y - 1) * rowBytes, rowBytes) : Span<byte>.Empty;
            for (int i = 0; i < rowBytes; i++)
            {
                int a = i >= bpp ? cur[i - bpp] : 0;
                int b = y > 0 ? prev[i] : 0;
                int c = y > 0 && i >= bpp ? prev[i - bpp] : 0;
                int pred = filter switch
                {
                    0 => 0,
                    1 => a,
                    2 => b,
                    3 => (a + b) >> 1,
                    4 => Paeth(a, b, c),
                    _ => throw Bad(name, $"unknown filter type {filter} in row {y}"),
                };
                cur[i] = (byte)(src[i] + pred);
            }
        }
        return rows;
    }

    /// <summary>PNG spec 9.4: the neighbour (left, up, up-left) closest to left + up - up-left, ties in that order.</summary>
    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    private static LabelMap Unpack(string name, byte[] rows, int width, int height, int depth)
    {
        int rowBytes = (width * depth + 7) / 8;
        var v = new ushort[checked(width * height)];
        for (int y = 0; y < height; y++)
        {
            int r = y * rowBytes, o = y * width;
            switch (depth)
            {
                case 8:
                    for (int x = 0; x < width; x++) v[o + x] = rows[r + x];
                    break;
                case 16: // big-endian samples
                    for (int x = 0; x < width; x++) v[o + x] = (ushort)(rows[r + 2 * x] << 8 | rows[r + 2 * x + 1]);
                    break;
                default: // 1/2/4-bit palette indices, packed from the most significant bit
                    int perByte = 8 / depth, mask = (1 << depth) - 1;
                    for (int x = 0; x < width; x++)
                    {
                        int shift = 8 - depth * (x % perByte + 1);
                        v[o + x] = (ushort)(rows[r + x / perByte] >> shift & mask);
                    }
                    break;
            }
        }
        return new LabelMap(width, height, v);
    }

    private static InvalidDataException Bad(string name, string problem) => new($"{name}: {problem}");
}
