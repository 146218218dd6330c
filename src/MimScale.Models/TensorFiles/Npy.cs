using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using MimScale.Files;
using static TorchSharp.torch;

namespace MimScale.Models.TensorFiles;

/// <summary>
/// NumPy <c>.npy</c> files (format versions 1.0, 2.0 and 3.0; C order; little-endian <c>&lt;f2 &lt;f4 &lt;f8 &lt;i2 &lt;i4
/// &lt;i8 |i1 |u1 |b1</c>). Layout (numpy/lib/format.py): magic <c>\x93NUMPY</c>, major, minor, header length (u16 for
/// 1.0, u32 after), a Python dict literal <c>{'descr': '&lt;f4', 'fortran_order': False, 'shape': (4, 3), }</c>
/// padded with spaces and a newline so the data starts 64-byte aligned, then the raw data.
/// </summary>
public static partial class Npy
{
    internal static readonly byte[] Magic = { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y' };

    // numpy's ARRAY_ALIGN and GROWTH_AXIS_MAX_DIGITS: writing the same spare spaces makes our files byte-identical.
    const int ArrayAlign = 64;
    const int GrowthAxisMaxDigits = 21;
    const int MaxHeaderBytes = 1 << 20;

    /// <summary>Reads an .npy file into a new contiguous CPU tensor of its dtype and shape.</summary>
    /// <exception cref="CheckpointFormatException">Not a readable .npy (the message names the file and the problem).</exception>
    public static Tensor Read(string path)
    {
        TensorBytes.EnsureLittleEndianHost();
        CheckpointFormatException Fail(string problem) => new(path, $"npy: {problem}");
        using var stream = OpenRead(path);
        long fileLength = stream.Length;
        Span<byte> prefix = stackalloc byte[12];
        int n = stream.ReadAtLeast(prefix, prefix.Length, throwOnEndOfStream: false);
        if (fileLength == 0) throw Fail("file is empty");
        if (n < 10 || !prefix[..6].SequenceEqual(Magic)) throw Fail("missing the \\x93NUMPY magic: not an .npy file");
        int major = prefix[6];
        long headerLength;
        int headerStart;
        if (major == 1) { headerLength = BinaryPrimitives.ReadUInt16LittleEndian(prefix[8..]); headerStart = 10; }
        else if (major is 2 or 3 && n >= 12) { headerLength = BinaryPrimitives.ReadUInt32LittleEndian(prefix[8..]); headerStart = 12; }
        else throw Fail($"format version {major}.{prefix[7]} is not supported (1.0, 2.0, 3.0 are)");
        if (headerStart + headerLength > fileLength) throw Fail($"header length {headerLength} is larger than the file ({fileLength} bytes)");
        if (headerLength > MaxHeaderBytes) throw Fail($"header length {headerLength} is implausibly large");

        var headerBytes = new byte[headerLength];
        stream.Position = headerStart;
        stream.ReadExactly(headerBytes);
        string header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(headerBytes);
        var (descr, fortran, shape) = ParseHeader(header, Fail);
        if (fortran) throw Fail("fortran_order True is not supported; save a C-order array (np.ascontiguousarray)");
        var dtype = TensorDTypes.ByNpyDescr(descr) ?? throw Fail($"dtype '{descr}' is not supported (<f2 <f4 <f8 <i2 <i4 <i8 |i1 |u1 |b1 are)");
        long numel = TensorDTypes.CheckedNumel(shape) ?? throw Fail($"invalid shape {TensorDTypes.ShapeString(shape)}");
        long dataLength = fileLength - headerStart - headerLength;
        if (numel > dataLength / dtype.Size || numel * dtype.Size != dataLength)
            throw Fail($"data holds {dataLength} bytes, shape {TensorDTypes.ShapeString(shape)} of '{descr}' needs " +
                       (numel > dataLength / dtype.Size ? "more (truncated?)" : $"{numel * dtype.Size}"));
        return TensorBytes.Read(stream, shape, dtype);
    }

    /// <summary>
    /// Writes <paramref name="tensor"/> (any device, any strides) as a C-order .npy file, version 1.0 (2.0 if the header
    /// needs it), atomically. The header is laid out exactly as numpy writes it.
    /// </summary>
    public static void Write(string path, Tensor tensor)
    {
        TensorBytes.EnsureLittleEndianHost();
        var dtype = TensorDTypes.Of(tensor.dtype);
        if (dtype.Npy.Length == 0) throw new ArgumentException($"dtype {tensor.dtype} has no NumPy equivalent", nameof(tensor));
        byte[] header = BuildHeader(dtype.Npy, tensor.shape);
        AtomicFile.Write(path, stream =>
        {
            stream.Write(header);
            TensorBytes.Write(stream, tensor);
        });
    }

    static byte[] BuildHeader(string descr, long[] shape)
    {
        string shapeText = shape.Length switch
        {
            0 => "()",
            1 => $"({shape[0]},)",
            _ => "(" + string.Join(", ", shape) + ")",
        };
        var dict = new StringBuilder($"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shapeText}, }}");
        if (shape.Length > 0) dict.Append(' ', GrowthAxisMaxDigits - shape[0].ToString(CultureInfo.InvariantCulture).Length);
        foreach (var (major, lengthBytes) in new[] { (1, 2), (2, 4) })
        {
            int hlen = dict.Length + 1; // + '\n'
            int prefix = Magic.Length + 2 + lengthBytes;
            int pad = ArrayAlign - (prefix + hlen) % ArrayAlign; // numpy pads 1..64, never 0
            int total = hlen + pad;
            if (major == 1 && total > ushort.MaxValue) continue;
            var bytes = new byte[prefix + total];
            Magic.CopyTo(bytes, 0);
            bytes[6] = (byte)major;
            bytes[7] = 0;
            if (major == 1) BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)total);
            else BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), (uint)total);
            Encoding.Latin1.GetBytes(dict.ToString()).CopyTo(bytes, prefix);
            bytes.AsSpan(prefix + dict.Length, pad).Fill((byte)' ');
            bytes[^1] = (byte)'\n';
            return bytes;
        }
        throw new InvalidOperationException("unreachable: version 2.0 headers hold 4 GB");
    }

    static (string Descr, bool Fortran, long[] Shape) ParseHeader(string header, Func<string, CheckpointFormatException> fail)
    {
        var descr = DescrRegex().Match(header);
        var fortran = FortranRegex().Match(header);
        var shape = ShapeRegex().Match(header);
        if (!descr.Success || !fortran.Success || !shape.Success)
            throw fail($"header is not a dict with 'descr', 'fortran_order' and 'shape': {header.Trim()}");
        var dims = shape.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(d => long.TryParse(d.TrimEnd('L'), NumberStyles.None, CultureInfo.InvariantCulture, out long v)
                ? v : throw fail($"shape entry '{d}' is not a non-negative integer"))
            .ToArray();
        return (descr.Groups[1].Value, fortran.Groups[1].Value == "True", dims);
    }

    static FileStream OpenRead(string path)
    {
        try { return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new CheckpointFormatException(path, "file not found", e);
        }
    }

    [GeneratedRegex(@"['""]descr['""]\s*:\s*['""]([^'""]+)['""]")]
    private static partial Regex DescrRegex();

    [GeneratedRegex(@"['""]fortran_order['""]\s*:\s*(True|False)")]
    private static partial Regex FortranRegex();

    [GeneratedRegex(@"['""]shape['""]\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapeRegex();
}
