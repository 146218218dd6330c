using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Data.Loading;

/// <summary>Host buffer to tensor, one bulk copy per tensor (never per element).</summary>
internal static class TensorPack
{
    public static Tensor Float32(Span<float> data, params long[] shape)
    {
        var t = torch.empty(shape, ScalarType.Float32);
        t.bytes = MemoryMarshal.AsBytes(data);
        return t;
    }

    public static Tensor Int64(Span<long> data, params long[] shape)
    {
        var t = torch.empty(shape, ScalarType.Int64);
        t.bytes = MemoryMarshal.AsBytes(data);
        return t;
    }
}
