using static TorchSharp.torch;

namespace MimScale.Models.TensorFiles;

/// <summary>
/// Reads named tensors from a PyTorch zip checkpoint (<c>torch.save</c>, PyTorch 1.6+) or a safetensors file, whichever
/// the file's first bytes say it is (the extension is not trusted). Nothing in a file is ever executed.
/// </summary>
public static class TensorFile
{
    // Legacy torch.save starts with the pickled magic number 0x1950a86a20f9469cfc6c (PROTO 2, LONG1 of 10 bytes).
    static readonly byte[] LegacyTorchMagic = { 0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19 };

    /// <summary>The tensors of <paramref name="path"/> by name, in file order (contiguous CPU tensors, owned by the caller).</summary>
    /// <exception cref="CheckpointFormatException">The file is not a readable checkpoint; the message names it and the problem.</exception>
    public static IReadOnlyDictionary<string, Tensor> Read(string path) => Load(path).Tensors;

    /// <summary>
    /// Reads <paramref name="path"/> with everything known about it: format, where the state dict sat in a wrapping dict,
    /// and which entries were ignored (optimizer, epoch, config, ...).
    /// </summary>
    /// <exception cref="CheckpointFormatException">The file is not a readable checkpoint; the message names it and the problem.</exception>
    public static TensorFileContent Load(string path)
    {
        var (h, tensors) = Open(path, withData: true);
        return new TensorFileContent(h.Path, h.Format, tensors!, h.StateDictPath, h.Ignored, h.Metadata);
    }

    /// <summary>
    /// Names, shapes and dtypes of <paramref name="path"/>'s tensors without reading their data (all structure checks
    /// still run), plus the wrapper facts of <see cref="Load"/>.
    /// </summary>
    /// <exception cref="CheckpointFormatException">The file is not a readable checkpoint; the message names it and the problem.</exception>
    public static TensorFileHeader LoadHeader(string path) => Open(path, withData: false).Header;

    static (TensorFileHeader Header, OrderedDictionary<string, Tensor>? Tensors) Open(string path, bool withData)
    {
        TensorBytes.EnsureLittleEndianHost();
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (FileNotFoundException e) { throw new CheckpointFormatException(path, "file not found", e); }
        catch (DirectoryNotFoundException e) { throw new CheckpointFormatException(path, "file not found", e); }
        using (stream)
        {
            return Detect(path, stream) switch
            {
                Kind.Zip => TorchZipReader.Read(path, stream, withData),
                Kind.Safetensors => SafetensorsFile.Read(path, stream, withData),
                _ => throw new InvalidOperationException(),
            };
        }
    }

    enum Kind { Zip, Safetensors }

    static Kind Detect(string path, FileStream stream)
    {
        if (stream.Length == 0) throw new CheckpointFormatException(path, "file is empty");
        var head = new byte[16];
        int n = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        stream.Position = 0;
        var h = head.AsSpan(0, n);

        if (h.StartsWith("PK\x03\x04"u8) || h.StartsWith("PK\x05\x06"u8)) return Kind.Zip;
        // safetensors: u64 header length, then a JSON object.
        if (n >= 9 && h[8] == (byte)'{') return Kind.Safetensors;
        if (h.StartsWith(LegacyTorchMagic))
            throw new CheckpointFormatException(path, "legacy (pre-1.6) torch.save format not supported; re-save with " +
                                                      "torch.save(..., _use_new_zipfile_serialization=True)");
        if (h.StartsWith(Npy.Magic))
            throw new CheckpointFormatException(path, "a NumPy .npy array, not a checkpoint (read it with Npy.Read)");
        if (n >= 1 && h[0] == 0x80)
            throw new CheckpointFormatException(path, "a bare pickle stream, not a torch.save zip archive; re-save with torch.save");
        string first = Convert.ToHexString(h[..Math.Min(n, 8)]).ToLowerInvariant();
        throw new CheckpointFormatException(path,
            $"unrecognised format (first bytes {first}): expected a PyTorch zip checkpoint (.pth) or a .safetensors file");
    }
}
