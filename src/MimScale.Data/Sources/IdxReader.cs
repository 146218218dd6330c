using System.Buffers.Binary;
using System.IO.Compression;
using MimScale.Data.Errors;

namespace MimScale.Data.Sources;

/// <summary>
/// Reader of the IDX format of MNIST / Fashion-MNIST (http://yann.lecun.com/exdb/mnist/): bytes 0-1 zero, byte 2 the
/// element type (0x08 = unsigned byte, the only one accepted), byte 3 the number of dimensions, then each dimension
/// as a big-endian int32, then the data. Gzipped files are recognised by their magic bytes (1f 8b), whatever the name.
/// </summary>
public static class IdxReader
{
    /// <summary>Reads an unsigned-byte IDX array, checking the header and that the data length matches the dimensions.</summary>
    /// <returns>The dimensions and the raw data.</returns>
    public static (int[] Dims, byte[] Data) Read(string path, int expectedRank)
    {
        byte[] raw = ReadMaybeGzipped(path);
        if (raw.Length < 4) throw new DataSourceException(path, $"corrupted IDX header: file has only {raw.Length} bytes");
        if (raw[0] != 0 || raw[1] != 0)
            throw new DataSourceException(path, $"corrupted IDX header: magic starts {raw[0]:x2} {raw[1]:x2}, expected 00 00");
        if (raw[2] != 0x08)
            throw new DataSourceException(path, $"unsupported IDX element type 0x{raw[2]:x2} (only 0x08 unsigned byte)");
        int rank = raw[3];
        if (rank != expectedRank)
            throw new DataSourceException(path, $"corrupted IDX header: {rank} dimensions, expected {expectedRank}");
        int headerBytes = 4 + 4 * rank;
        if (raw.Length < headerBytes) throw new DataSourceException(path, "corrupted IDX header: dimensions cut short");
        var dims = new int[rank];
        long total = 1;
        for (int d = 0; d < rank; d++)
        {
            dims[d] = BinaryPrimitives.ReadInt32BigEndian(raw.AsSpan(4 + 4 * d));
            if (dims[d] <= 0) throw new DataSourceException(path, $"corrupted IDX header: dimension {d} is {dims[d]}");
            total *= dims[d];
        }
        long actual = raw.Length - headerBytes;
        if (actual != total)
            throw new DataSourceException(path,
                $"IDX data length {actual} bytes does not match the header dimensions [{string.Join(", ", dims)}] = {total} bytes" +
                (actual < total ? " (truncated file)" : ""));
        return (dims, raw.AsSpan(headerBytes).ToArray());
    }

    private static byte[] ReadMaybeGzipped(string path)
    {
        try
        {
            if (!File.Exists(path)) throw new DataSourceException(path, "IDX file not found");
            byte[] bytes = File.ReadAllBytes(path);
            if (bytes.Length >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b)
            {
                using var gz = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
                using var ms = new MemoryStream(bytes.Length * 2);
                gz.CopyTo(ms);
                return ms.ToArray();
            }
            return bytes;
        }
        catch (DataSourceException) { throw; }
        catch (InvalidDataException e) { throw new DataSourceException(path, $"corrupt gzip stream: {e.Message}", e); }
        catch (UnauthorizedAccessException e) { throw new DataSourceException(path, "permission denied (unreadable)", e); }
        catch (IOException e) { throw new DataSourceException(path, $"read error: {e.Message}", e); }
    }
}
