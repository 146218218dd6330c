using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Dense.Detection.Ops;

/// <summary>
/// <c>arange(n)</c> with its start, stop and step held as disposed Scalars: an implicit Scalar temporary can be freed
/// by its finalizer while native code still reads it (a TorchSharp defect; see the project brief).
/// </summary>
internal static class Arange
{
    /// <summary>0, 1, ..., n - 1 as a [n] tensor of <paramref name="dtype"/> on <paramref name="device"/>.</summary>
    public static Tensor Of(long n, ScalarType dtype, Device device)
    {
        using var start = 0L.ToScalar();
        using var stop = n.ToScalar();
        using var step = 1L.ToScalar();
        return arange(start, stop, step, dtype, device);
    }
}
