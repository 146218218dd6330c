using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using MimScale.Models.TensorFiles;
using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Tests.Models.TensorFiles;

public class SafetensorsWriteTests
{
    [Theory]
    [InlineData("swinv2-cls-a")]
    [InlineData("simmim-a")]
    public void FixtureRoundTripsBitIdentical(string caseName)
    {
        using var dir = new TempFolder();
        using var scope = NewDisposeScope();
        var original = TensorFile.Read(TensorFileFixtureTests.Fixture(caseName, "model.pth"));
        string path = dir["copy.safetensors"];
        SafetensorsFile.Write(path, original, new Dictionary<string, string> { ["case"] = caseName });

        var content = TensorFile.Load(path);
        TensorFileFixtureTests.AssertBitIdentical(original, content.Tensors);
        Assert.Equal(original.Keys, content.Tensors.Keys); // written in the given order, read in file order
        Assert.Equal(caseName, content.Metadata["case"]);
        Assert.Single(Directory.GetFiles(dir.Path)); // no temp file left behind
    }

    [Fact]
    public void HeaderIsAlignedConsistentAndTyped()
    {
        using var dir = new TempFolder();
        using var scope = NewDisposeScope();
        var tensors = new List<KeyValuePair<string, Tensor>>
        {
            new("z.f64", tensor(new[] { 1.5, -2.0 })),
            new("a.i64", tensor(new long[] { 7, 8, 9 })),
            new("m.bool", tensor(new[] { true, false, true })),
            new("m.u8", tensor(new byte[] { 1, 255 })),
            new("h.f16", ones(2, 3, ScalarType.Float16)),
            new("h.bf16", ones(1, ScalarType.BFloat16)),
            new("t.strided", arange(6, ScalarType.Float32).view(2, 3).t()), // non-contiguous input is written in C order
            new("e.empty", zeros(0, 4)),
        };
        string path = dir["mixed.safetensors"];
        SafetensorsFile.Write(path, tensors);

        var bytes = File.ReadAllBytes(path);
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0UL, (8 + n) % 8);
        using var header = JsonDocument.Parse(bytes.AsMemory(8, (int)n));
        var names = header.RootElement.EnumerateObject().Select(p => p.Name).ToArray();
        Assert.Equal(tensors.Select(t => t.Key), names);
        Assert.Equal("BOOL", header.RootElement.GetProperty("m.bool").GetProperty("dtype").GetString());
        Assert.Equal("BF16", header.RootElement.GetProperty("h.bf16").GetProperty("dtype").GetString());
        // Offsets tile the data section exactly: 16 + 24 + 3 + 2 + 12 + 2 + 24 + 0 bytes.
        long expectedEnd = 0;
        foreach (var p in header.RootElement.EnumerateObject())
        {
            var off = p.Value.GetProperty("data_offsets");
            Assert.Equal(expectedEnd, off[0].GetInt64());
            expectedEnd = off[1].GetInt64();
        }
        Assert.Equal(83, expectedEnd);
        Assert.Equal(bytes.Length, 8 + (long)n + expectedEnd);

        var back = TensorFile.Read(path);
        Assert.Equal(new float[] { 0, 3, 1, 4, 2, 5 }, back["t.strided"].data<float>().ToArray());
        Assert.Equal(new long[] { 0, 4 }, back["e.empty"].shape);
        foreach (var (name, t) in tensors)
            Assert.True(t.contiguous().bytes.SequenceEqual(back[name].bytes), name);
    }

    [Fact]
    public void DuplicateAndReservedNamesAreRefused()
    {
        using var dir = new TempFolder();
        using var scope = NewDisposeScope();
        var t = ones(1);
        Assert.Throws<ArgumentException>(() => SafetensorsFile.Write(dir["x.safetensors"], new[] { KeyValuePair.Create("a", t), KeyValuePair.Create("a", t) }));
        Assert.Throws<ArgumentException>(() => SafetensorsFile.Write(dir["x.safetensors"], new[] { KeyValuePair.Create("__metadata__", t) }));
        Assert.Empty(Directory.GetFiles(dir.Path));
    }
}
