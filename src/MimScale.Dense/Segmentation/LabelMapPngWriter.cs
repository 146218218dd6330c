using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using MimScale.Files;

namespace MimScale.Dense.Segmentation;

/// <summary>
/// Writes label maps as PNG: 8-bit grayscale (as ADEChallengeData2016's annotations are stored), 8-bit palette when
/// a palette is given (as VOC-style annotations are), or 16-bit grayscale when a value exceeds 255. The output is
/// a pure function of the map: no time or text chunks, fixed filters and compression level, so equal maps give
/// equal bytes.
/// </summary>
public static class LabelMapPngWriter
{
    /// <summary>Writes <paramref name="map"/> to <paramref name="path"/>.</summary>
    public static void Write(string path, LabelMap map, IReadOnlyList<(byte R, byte G, byte B)>? palette = null) =>
        AtomicFile.WriteAllBytes(path, Encode(map, palette));

    /// <summary>
    /// Encodes <paramref name="map"/>. With <paramref name="palette"/> (at most 256 entries, covering every value) the
    /// PNG is indexed; otherwise grayscale, 8-bit if every value fits, else 16-bit.
    /// </summary>
    public static byte[] Encode(LabelMap map, IReadOnlyList<(byte R, byte G, byte B)>? palette = null)
    {
        int max = 0;
        foreach (ushort v in map.Values) max = Math.Max(max, v);
        if (palette is not null && (palette.Count is 0 or > 256 || max >= palette.Count))
            throw new ArgumentException($"a palette of {palette.Count} entries cannot index value {max} (1..256 entries, one per value)");
        int depth = palette is null && max > 255 ? 16 : 8;
        int bytesPerPixel = depth / 8, rowBytes = map.Width * bytesPerPixel;

        // Filter "Up" (2) on every row: label maps repeat row to row, so this compresses well and is fixed.
        var raw = new byte[(rowBytes + 1) * map.Height];
        var prev = new byte[rowBytes];
        var cur = new byte[rowBytes];
        for (int y = 0; y < map.Height; y++)
        {
            for (int x = 0; x < map.Width; x++)
            {
                ushort v = map.Values[y * map.Width + x];
                if (depth == 8) cur[x] = (byte)v;
                else BinaryPrimitives.WriteUInt16BigEndian(cur.AsSpan(2 * x), v);
            }
            int o = y * (rowBytes + 1);
            raw[o] = 2;
            for (int i = 0; i < rowBytes; i++) raw[o + 1 + i] = (byte)(cur[i] - prev[i]);
            (prev, cur) = (cur, prev);
        }

        using var png = new MemoryStream();
        png.Write(LabelMapPngReader.Signature);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, map.Width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), map.Height);
        ihdr[8] = (byte)depth;
        ihdr[9] = (byte)(palette is null ? 0 : 3); // colour type: grayscale or indexed
        WriteChunk(png, "IHDR", ihdr);
        if (palette is not null)
        {
            var plte = new byte[3 * palette.Count];
            for (int i = 0; i < palette.Count; i++) (plte[3 * i], plte[3 * i + 1], plte[3 * i + 2]) = palette[i];
            WriteChunk(png, "PLTE", plte);
        }
        using (var compressed = new MemoryStream())
        {
            using (var z = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true)) z.Write(raw);
            WriteChunk(png, "IDAT", compressed.ToArray());
        }
        WriteChunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void WriteChunk(Stream s, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> head = stackalloc byte[8];
        BinaryPrimitives.WriteInt32BigEndian(head, data.Length);
        Encoding.ASCII.GetBytes(type, head[4..]);
        s.Write(head);
        s.Write(data);
        Span<byte> crc = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, PngCrc.Compute(head[4..], data));
        s.Write(crc);
    }
}
