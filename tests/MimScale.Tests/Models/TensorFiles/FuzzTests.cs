using System.Buffers.Binary;
using MimScale.Models.TensorFiles;
using static TorchSharp.torch;

namespace MimScale.Tests.Models.TensorFiles;

/// <summary>
/// Seeded mutations of valid files: every outcome is either a successful read or a CheckpointFormatException naming
/// the file (never another exception type, a crash or a hang).
/// </summary>
public class FuzzTests
{
    static void ReadOrFormatError(string path)
    {
        using var scope = NewDisposeScope();
        try
        {
            TensorFile.Read(path);
        }
        catch (CheckpointFormatException e)
        {
            Assert.Contains(Path.GetFileName(path), e.Message);
        }
    }

    static byte[] Mutate(byte[] original, Random rng, int start)
    {
        var bytes = (byte[])original.Clone();
        int edits = rng.Next(1, 4);
        for (int i = 0; i < edits; i++) bytes[rng.Next(start, bytes.Length)] = (byte)rng.Next(256);
        return rng.Next(4) == 0 ? bytes[..rng.Next(1, bytes.Length)] : bytes;
    }

    [Fact]
    public void MutatedPicklesNeverEscapeAsOtherExceptions()
    {
        using var dir = new TempFolder();
        var pickle = TorchPickleTests.WrappedPickle();
        var storages = TorchPickleTests.WrappedStorages();
        var rng = new Random(20240601);
        for (int i = 0; i < 200; i++)
        {
            string path = dir[$"fuzz{i}.pth"];
            TestPickle.WriteCheckpoint(path, Mutate(pickle, rng, 0), storages);
            ReadOrFormatError(path);
            File.Delete(path);
        }
    }

    [Fact]
    public void MutatedSafetensorsNeverEscapeAsOtherExceptions()
    {
        using var dir = new TempFolder();
        var original = File.ReadAllBytes(TensorFileFixtureTests.Fixture("swinv2-cls-a", "model.safetensors"));
        int headerEnd = 8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(original);
        var small = original[..headerEnd]; // header only: every entry now points past the end
        var rng = new Random(7);
        for (int i = 0; i < 100; i++)
        {
            string path = dir[$"fuzz{i}.safetensors"];
            File.WriteAllBytes(path, Mutate(i % 2 == 0 ? small : original[..Math.Min(original.Length, headerEnd + 4096)], rng, 0));
            ReadOrFormatError(path);
        }
    }

    [Fact]
    public void MutatedZipBytesNeverEscapeAsOtherExceptions()
    {
        using var dir = new TempFolder();
        string valid = dir["valid.pth"];
        TestPickle.WriteCheckpoint(valid, TorchPickleTests.WrappedPickle(), TorchPickleTests.WrappedStorages());
        var bytes = File.ReadAllBytes(valid);
        var rng = new Random(11);
        for (int i = 0; i < 200; i++)
        {
            string path = dir[$"zip{i}.pth"];
            File.WriteAllBytes(path, Mutate(bytes, rng, 4));
            ReadOrFormatError(path);
        }
    }

    [Fact]
    public void MutatedNpyHeadersNeverEscapeAsOtherExceptions()
    {
        using var dir = new TempFolder();
        var original = File.ReadAllBytes(TensorFileFixtureTests.Fixture("simmim-a", "mask.npy"));
        var rng = new Random(3);
        for (int i = 0; i < 200; i++)
        {
            var bytes = (byte[])original.Clone();
            bytes[rng.Next(0, 128)] = (byte)rng.Next(256);
            string path = dir[$"fuzz{i}.npy"];
            File.WriteAllBytes(path, rng.Next(4) == 0 ? bytes[..rng.Next(1, bytes.Length)] : bytes);
            using var scope = NewDisposeScope();
            try { Npy.Read(path); }
            catch (CheckpointFormatException e) { Assert.Contains(Path.GetFileName(path), e.Message); }
        }
    }
}
