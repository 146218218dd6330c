using System.Text;

namespace MimScale.Tests.Data;

/// <summary>Minimal .npy v1 reader for little-endian float32 arrays (header, then raw data).</summary>
internal static class NpyFile
{
    public static (long[] Shape, float[] Data) ReadFloat32(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes[0] != 0x93 || Encoding.ASCII.GetString(bytes, 1, 5) != "NUMPY") throw new InvalidDataException($"{path}: not .npy");
        if (bytes[6] != 1) throw new InvalidDataException($"{path}: .npy version {bytes[6]} (reader handles 1)");
        int headerLen = BitConverter.ToUInt16(bytes, 8);
        string header = Encoding.ASCII.GetString(bytes, 10, headerLen);
        if (!header.Contains("'descr': '<f4'")) throw new InvalidDataException($"{path}: not little-endian float32: {header}");
        if (header.Contains("'fortran_order': True")) throw new InvalidDataException($"{path}: Fortran order");
        int open = header.IndexOf('(', header.IndexOf("'shape'")), close = header.IndexOf(')', open);
        var shape = header[(open + 1)..close].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(long.Parse).ToArray();
        int offset = 10 + headerLen;
        var data = new float[(bytes.Length - offset) / 4];
        Buffer.BlockCopy(bytes, offset, data, 0, data.Length * 4);
        if (data.LongLength != shape.Aggregate(1L, (a, b) => a * b)) throw new InvalidDataException($"{path}: size mismatch");
        return (shape, data);
    }

    /// <summary>The repository's tests/fixtures folder, found by walking up from the test binaries.</summary>
    public static string FixturesDir()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "fixtures");
            if (Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException("tests/fixtures not found above " + AppContext.BaseDirectory);
    }
}
