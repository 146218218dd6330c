using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Models.TensorFiles;

/// <summary>Raw little-endian bytes in and out of CPU tensors, in chunks so no managed buffer is ever tensor-sized.</summary>
internal static class TensorBytes
{
    // 64 MiB per copy: Span lengths are int, and tensors can be larger than 2 GiB.
    const long ChunkBytes = 1L << 26;

    /// <summary>
    /// A new contiguous CPU tensor of <paramref name="shape"/> filled with exactly numel * element-size bytes read from
    /// <paramref name="stream"/>. Throws <see cref="EndOfStreamException"/> when the stream ends early.
    /// </summary>
    public static Tensor Read(Stream stream, long[] shape, TensorDTypes.Info dtype)
    {
        var tensor = empty(shape, dtype.Type);
        try
        {
            Fill(stream, tensor, dtype.Size);
            return tensor;
        }
        catch
        {
            tensor.Dispose();
            throw;
        }
    }

    static void Fill(Stream stream, Tensor tensor, int elementSize)
    {
        long numel = tensor.numel();
        if (numel == 0) return;
        using var flat = tensor.view(-1);
        long perChunk = Math.Max(1, ChunkBytes / elementSize);
        for (long start = 0; start < numel; start += perChunk)
        {
            using var part = flat.narrow(0, start, Math.Min(perChunk, numel - start));
            stream.ReadExactly(part.bytes);
        }
    }

    /// <summary>Writes the tensor's elements in C order as little-endian bytes (any device, any strides).</summary>
    public static void Write(Stream stream, Tensor tensor)
    {
        long numel = tensor.numel();
        if (numel == 0) return;
        using var scope = NewDisposeScope();
        var flat = tensor.detach().cpu().contiguous().view(-1);
        long perChunk = Math.Max(1, ChunkBytes / (long)tensor.ElementSize);
        for (long start = 0; start < numel; start += perChunk)
        {
            var part = flat.narrow(0, start, Math.Min(perChunk, numel - start));
            stream.Write(part.bytes);
        }
    }

    /// <summary>Throws on a big-endian host: all readers here assume little-endian memory.</summary>
    public static void EnsureLittleEndianHost()
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("MimScale tensor files are little-endian; this host is big-endian.");
    }
}
