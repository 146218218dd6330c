using System.Buffers.Binary;
using System.Text;
using MimScale.Models.TensorFiles;
using static TorchSharp.torch;

namespace MimScale.Tests.Models.TensorFiles;

/// <summary>Broken files give a CheckpointFormatException naming the file and the problem, never a crash or hang.</summary>
public class CorruptFileTests
{
    static CheckpointFormatException Fails(string path)
    {
        using var scope = NewDisposeScope();
        var e = Assert.Throws<CheckpointFormatException>(() => TensorFile.Read(path));
        Assert.Contains(Path.GetFileName(path), e.Message);
        Assert.Equal(path, e.FilePath);
        return e;
    }

    static string Write(TempFolder dir, string name, byte[] bytes)
    {
        string path = dir[name];
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Theory]
    [InlineData("swinv2-cls-a", "model.pth")]
    [InlineData("swinv2-cls-a", "model.safetensors")]
    public void HalfAFileIsRejected(string caseName, string file)
    {
        using var dir = new TempFolder();
        var bytes = File.ReadAllBytes(TensorFileFixtureTests.Fixture(caseName, file));
        var e = Fails(Write(dir, "cut-" + file, bytes[..(bytes.Length / 2)]));
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void ZipWithOneStorageCutShortIsRejected()
    {
        // Keep the zip valid but drop the last byte of every entry's data: rewrite storage 0 of the real fixture short.
        using var dir = new TempFolder();
        string path = dir["short.pth"];
        File.Copy(TensorFileFixtureTests.Fixture("swinv2-cls-a", "model.pth"), path);
        using (var zip = new System.IO.Compression.ZipArchive(File.Open(path, FileMode.Open), System.IO.Compression.ZipArchiveMode.Update))
        {
            var entry = zip.GetEntry("model/data/0")!;
            entry.Delete();
            using var s = zip.CreateEntry("model/data/0").Open();
            s.Write(new byte[1919]);
        }
        Assert.Contains("storage '0' holds 1919 bytes, but 480 x FloatStorage needs 1920", Fails(path).Message);
    }

    [Fact]
    public void EmptyFileIsRejected()
    {
        using var dir = new TempFolder();
        Assert.Equal("empty.pth: file is empty", Fails(Write(dir, "empty.pth", Array.Empty<byte>())).Message);
    }

    [Fact]
    public void MissingFileIsNamed()
    {
        using var dir = new TempFolder();
        Assert.Equal("nope.pth: file not found", Fails(dir["nope.pth"]).Message);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void RandomBytesAreRejected(int seed)
    {
        using var dir = new TempFolder();
        var bytes = new byte[4096];
        new Random(seed).NextBytes(bytes);
        Assert.Contains("unrecognised format", Fails(Write(dir, $"random{seed}.pth", bytes)).Message);
    }

    [Fact]
    public void RandomBytesAfterAZipMagicAreRejected()
    {
        using var dir = new TempFolder();
        var bytes = new byte[4096];
        new Random(7).NextBytes(bytes);
        "PK\x03\x04"u8.CopyTo(bytes);
        Assert.Contains("not a complete zip archive", Fails(Write(dir, "fake.pth", bytes)).Message);
    }

    static byte[] Safetensors(ulong headerLength, string header, int dataBytes)
    {
        var h = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + h.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, headerLength);
        h.CopyTo(bytes, 8);
        return bytes;
    }

    [Fact]
    public void SafetensorsHeaderLongerThanTheFileIsRejected()
    {
        using var dir = new TempFolder();
        const string header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        var e = Fails(Write(dir, "huge.safetensors", Safetensors(ulong.MaxValue / 2, header, 8)));
        Assert.Contains("header length 9223372036854775807 is larger than the file", e.Message);
    }

    [Theory]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", "lie outside the 8 data bytes")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", "spans 8 bytes, but shape (3) needs 3 x 4 bytes")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,4],\"data_offsets\":[0,8]}}", "invalid shape")]
    [InlineData("{\"w\":{\"dtype\":\"C64\",\"shape\":[1],\"data_offsets\":[0,8]}}", "unsupported dtype 'C64'")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", "shape holds '-2'")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}", "not valid JSON")]
    public void SafetensorsWithBadEntriesAreRejected(string header, string problem)
    {
        using var dir = new TempFolder();
        var e = Fails(Write(dir, "bad.safetensors", Safetensors((ulong)Encoding.UTF8.GetByteCount(header), header, 8)));
        Assert.Contains(problem, e.Message);
    }

    // Two F32[2] tensors (8 bytes each) laid out in 16 data bytes unless stated otherwise.
    [Theory]
    [InlineData("\"a\":[0,8],\"b\":[4,12]", 16, "tensors 'a' and 'b' overlap: 'b' begins at byte 4, before 'a' ends at byte 8")]
    [InlineData("\"a\":[0,8],\"b\":[0,8]", 16, "tensors 'a' and 'b' overlap: 'b' begins at byte 0, before 'a' ends at byte 8")]
    [InlineData("\"b\":[8,16],\"a\":[4,12]", 16, "bytes [0, 4) of the data section belong to no tensor (the first, 'a', begins at byte 4)")]
    [InlineData("\"a\":[0,8],\"b\":[12,20]", 20, "bytes [8, 12) of the data section belong to no tensor (between 'a' and 'b')")]
    [InlineData("\"a\":[0,8],\"b\":[8,16]", 24, "bytes [16, 24) of the data section belong to no tensor (after 'b', the last)")]
    public void SafetensorsWhoseTensorsDoNotTileTheDataExactlyAreRejected(string offsets, int dataBytes, string problem)
    {
        using var dir = new TempFolder();
        var pairs = offsets.Split("],").Select(p => p.TrimEnd(']')).ToArray();
        string header = "{" + string.Join(",", pairs.Select(p =>
        {
            var name = p[..p.IndexOf(':')];
            return $"{name}:{{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":{p[(p.IndexOf(':') + 1)..]}]}}";
        })) + "}";
        string path = Write(dir, "tiles.safetensors", Safetensors((ulong)Encoding.UTF8.GetByteCount(header), header, dataBytes));
        Assert.Equal($"tiles.safetensors: safetensors: {problem}", Fails(path).Message);
        // The header-only read (inspect) refuses the file too.
        Assert.Throws<CheckpointFormatException>(() => TensorFile.LoadHeader(path));
    }

    [Fact]
    public void ASafetensorsFileWeWriteTilesItsDataExactly()
    {
        using var dir = new TempFolder();
        using var scope = NewDisposeScope();
        string path = dir["ok.safetensors"];
        SafetensorsFile.Write(path, new Dictionary<string, Tensor> { ["a"] = ones(2), ["empty"] = zeros(0), ["b"] = arange(3L) });
        Assert.Equal(new[] { "a", "empty", "b" }, TensorFile.Read(path).Keys);
    }

    [Fact]
    public void LegacyTorchSaveIsExplained()
    {
        using var dir = new TempFolder();
        var bytes = new byte[] { 0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e };
        var e = Fails(Write(dir, "old.pth", bytes));
        Assert.Contains("legacy (pre-1.6) torch.save format not supported; re-save with torch.save(..., _use_new_zipfile_serialization=True)", e.Message);
    }

    [Fact]
    public void NpyPassedAsCheckpointIsExplained()
    {
        Assert.Contains("a NumPy .npy array", Fails(TensorFileFixtureTests.Fixture("simmim-a", "mask.npy")).Message);
    }
}
