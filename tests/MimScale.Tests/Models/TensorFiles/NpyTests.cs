using MimScale.Models.TensorFiles;
using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Tests.Models.TensorFiles;

public class NpyTests
{
    [Fact]
    public void OfficialInputAndMaskRead()
    {
        using var scope = NewDisposeScope();
        var input = Npy.Read(TensorFileFixtureTests.Fixture("swinv2-cls-a", "input.npy"));
        Assert.Equal(new long[] { 4, 3, 64, 64 }, input.shape);
        Assert.Equal(ScalarType.Float32, input.dtype);

        var mask = Npy.Read(TensorFileFixtureTests.Fixture("simmim-a", "mask.npy"));
        Assert.Equal(new long[] { 4, 16, 16 }, mask.shape);
        Assert.Equal(ScalarType.Int64, mask.dtype);
        // config.json: masked_fraction 0.625 = 10 of 16 mask patches, each 4x4 tokens; values are 0/1 only.
        Assert.Equal(640L, mask.sum().ToInt64());
        Assert.Equal(640L, mask.eq(1).sum().ToInt64());
        // Mask patches are 4x4 token blocks: the mask is constant on each block.
        var blocks = mask.view(4, 4, 4, 4, 4);
        Assert.True(blocks.amax(new long[] { 2, 4 }).eq(blocks.amin(new long[] { 2, 4 })).all().ToBoolean());
    }

    [Theory]
    [InlineData("swinv2-cls-a", "input.npy")]
    [InlineData("swinv2-cls-a", "logits.npy")]
    [InlineData("simmim-a", "mask.npy")]
    [InlineData("simmim-a", "z.npy")]
    public void WriteReproducesNumpyBytes(string caseName, string file)
    {
        using var dir = new TempFolder();
        using var scope = NewDisposeScope();
        string original = TensorFileFixtureTests.Fixture(caseName, file);
        string copy = dir[file];
        Npy.Write(copy, Npy.Read(original));
        Assert.Equal(File.ReadAllBytes(original), File.ReadAllBytes(copy));
    }

    [Fact]
    public void AllDtypesAndScalarsRoundTrip()
    {
        using var dir = new TempFolder();
        using var scope = NewDisposeScope();
        var cases = new[]
        {
            tensor(new[] { 1.5f, -2f }), tensor(new[] { 0.25, 8.0 }), tensor(new long[] { -1, 1L << 50 }),
            tensor(new[] { 3, -4 }), tensor(new byte[] { 0, 255 }), tensor(new[] { true, false }),
            tensor(2.5f), zeros(0, 3), arange(12, ScalarType.Int32).view(3, 4).t(),
        };
        for (int i = 0; i < cases.Length; i++)
        {
            string path = dir[$"c{i}.npy"];
            Npy.Write(path, cases[i]);
            Assert.Equal(0, (int)(new FileInfo(path).Length - cases[i].numel() * cases[i].ElementSize) % 64);
            var back = Npy.Read(path);
            Assert.Equal(cases[i].dtype, back.dtype);
            Assert.Equal(cases[i].shape, back.shape);
            Assert.True(cases[i].contiguous().bytes.SequenceEqual(back.bytes), $"case {i}");
        }
    }

    static string WriteNpy(TempFolder dir, string header, int dataBytes)
    {
        var h = System.Text.Encoding.ASCII.GetBytes(header.PadRight(117) + "\n");
        var bytes = new byte[10 + h.Length + dataBytes];
        new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y' }.CopyTo(bytes, 0);
        bytes[6] = 1;
        bytes[8] = (byte)h.Length;
        h.CopyTo(bytes, 10);
        string path = dir["bad.npy"];
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Theory]
    [InlineData("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", 16, "fortran_order True is not supported")]
    [InlineData("{'descr': '>f4', 'fortran_order': False, 'shape': (2, 2), }", 16, "dtype '>f4' is not supported")]
    [InlineData("{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }", 16, "dtype '<c8' is not supported")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }", 12, "data holds 12 bytes")]
    [InlineData("{'descr': '<f4', 'shape': (2, 2), }", 16, "header is not a dict")]
    public void BadNpyIsRejectedWithTheFileName(string header, int dataBytes, string problem)
    {
        using var dir = new TempFolder();
        var e = Assert.Throws<CheckpointFormatException>(() => Npy.Read(WriteNpy(dir, header, dataBytes)));
        Assert.StartsWith("bad.npy: npy: ", e.Message);
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public void NonNpyFilesAreRejected()
    {
        using var dir = new TempFolder();
        File.WriteAllBytes(dir["e.npy"], Array.Empty<byte>());
        Assert.Contains("file is empty", Assert.Throws<CheckpointFormatException>(() => Npy.Read(dir["e.npy"])).Message);
        Assert.Contains("magic", Assert.Throws<CheckpointFormatException>(
            () => Npy.Read(TensorFileFixtureTests.Fixture("simmim-a", "config.json"))).Message);
    }
}
