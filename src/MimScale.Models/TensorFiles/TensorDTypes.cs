using TorchSharp;

namespace MimScale.Models.TensorFiles;

/// <summary>
/// The element types MimScale reads and writes, with their names in the three file formats:
/// PyTorch storage classes (<c>torch.FloatStorage</c>), safetensors (<c>F32</c>) and NumPy descr (<c>&lt;f4</c>).
/// </summary>
internal static class TensorDTypes
{
    internal sealed record Info(torch.ScalarType Type, int Size, string Storage, string Safetensors, string Npy);

    // Little-endian only: every supported host (x64, arm64) is little-endian and all three formats store LE here.
    static readonly Info[] All =
    {
        new(torch.ScalarType.Float32, 4, "FloatStorage", "F32", "<f4"),
        new(torch.ScalarType.Float64, 8, "DoubleStorage", "F64", "<f8"),
        new(torch.ScalarType.Float16, 2, "HalfStorage", "F16", "<f2"),
        new(torch.ScalarType.BFloat16, 2, "BFloat16Storage", "BF16", ""),
        new(torch.ScalarType.Int64, 8, "LongStorage", "I64", "<i8"),
        new(torch.ScalarType.Int32, 4, "IntStorage", "I32", "<i4"),
        new(torch.ScalarType.Int16, 2, "ShortStorage", "I16", "<i2"),
        new(torch.ScalarType.Int8, 1, "CharStorage", "I8", "|i1"),
        new(torch.ScalarType.Byte, 1, "ByteStorage", "U8", "|u1"),
        new(torch.ScalarType.Bool, 1, "BoolStorage", "BOOL", "|b1"),
    };

    public static Info? ByStorageName(string name) => Array.Find(All, i => i.Storage == name);

    public static Info? BySafetensorsName(string name) => Array.Find(All, i => i.Safetensors == name);

    /// <summary>NumPy descr; '=' (native) and '&lt;' are the same on a little-endian host, 1-byte types may use any prefix.</summary>
    public static Info? ByNpyDescr(string descr)
    {
        if (descr.Length < 2) return null;
        char order = descr[0];
        string body = descr[1..];
        var info = Array.Find(All, i => i.Npy.Length > 0 && i.Npy[1..] == body);
        if (info == null) return null;
        if (info.Size == 1) return order is '|' or '<' or '>' or '=' ? info : null;
        return order is '<' or '=' ? info : null;
    }

    public static Info Of(torch.ScalarType type) =>
        Array.Find(All, i => i.Type == type)
        ?? throw new NotSupportedException($"tensor dtype {type} is not supported by MimScale's tensor files");

    /// <summary>Product of the dims, or null when a dim is negative or the product overflows.</summary>
    public static long? CheckedNumel(IReadOnlyList<long> shape)
    {
        long n = 1;
        foreach (long d in shape)
        {
            if (d < 0) return null;
            try { n = checked(n * d); }
            catch (OverflowException) { return null; }
        }
        return n;
    }

    public static string ShapeString(IEnumerable<long> shape) => "(" + string.Join(", ", shape) + ")";
}
