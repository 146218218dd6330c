using System.IO.Compression;
using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Models.TensorFiles;

/// <summary>
/// Reads the <c>torch.save</c> zip format: the pickle <c>&lt;top&gt;/data.pkl</c> (run by
/// <see cref="RestrictedUnpickler"/>) names storages by key, whose raw bytes are the entries
/// <c>&lt;top&gt;/data/&lt;key&gt;</c>. The top folder is the file's stem at save time, so it is found, not assumed.
/// </summary>
internal static class TorchZipReader
{
    static readonly string[] WrapperKeys = { "model", "state_dict", "module" };

    /// <summary>The header, and the tensors unless <paramref name="withData"/> is false.</summary>
    public static (TensorFileHeader Header, OrderedDictionary<string, Tensor>? Tensors) Read(string path, Stream stream, bool withData)
    {
        ZipArchive zip;
        try
        {
            zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or NotSupportedException or ArgumentException)
        {
            throw new CheckpointFormatException(path, $"not a complete zip archive, the PyTorch checkpoint is truncated or corrupt ({e.Message})", e);
        }
        using (zip)
        {
            try
            {
                return ReadArchive(path, zip, stream.Length, withData);
            }
            // System.IO.Compression reports corrupt headers with several exception types.
            catch (Exception e) when (e is InvalidDataException or IOException or NotSupportedException or ArgumentException)
            {
                throw new CheckpointFormatException(path, $"corrupt zip entry ({e.Message})", e);
            }
        }
    }

    static (TensorFileHeader, OrderedDictionary<string, Tensor>?) ReadArchive(string path, ZipArchive zip, long fileLength, bool withData)
    {
        var pkl = zip.Entries.FirstOrDefault(e => e.FullName == "data.pkl" ||
                                                   (e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal) && e.FullName.IndexOf('/') == e.FullName.Length - 9));
        if (pkl == null)
        {
            bool script = zip.Entries.Any(e => e.FullName.EndsWith("constants.pkl", StringComparison.Ordinal));
            throw new CheckpointFormatException(path, script
                ? "a TorchScript archive (torch.jit.save); save the state dict with torch.save instead"
                : "zip archive without data.pkl: not a torch.save checkpoint");
        }
        string prefix = pkl.FullName[..^"data.pkl".Length];

        var byteorder = zip.GetEntry(prefix + "byteorder");
        if (byteorder != null)
        {
            string order = System.Text.Encoding.ASCII.GetString(ReadSmallEntry(path, byteorder, 16, fileLength)).Trim();
            if (order != "little") throw new CheckpointFormatException(path, $"byte order '{order}' is not supported (little-endian only)");
        }

        var root = RestrictedUnpickler.Load(ReadSmallEntry(path, pkl, int.MaxValue, fileLength), path, pkl.FullName);
        var (stateDict, wrapperPath, ignored) = StateDictLocator.Unwrap(path, root, WrapperKeys);
        foreach (var (name, t) in stateDict)
        {
            CheckView(path, name, t);
            StorageEntry(path, zip, prefix, t.Storage, fileLength);
        }
        var infos = stateDict.Select(kv => new TensorInfo(kv.Key, kv.Value.Size, kv.Value.Storage.DType.Type)).ToList();
        var header = new TensorFileHeader(path, TensorFileFormat.PyTorchZip, infos, wrapperPath, ignored, new Dictionary<string, string>());
        return (header, withData ? Materialize(path, zip, prefix, stateDict, fileLength) : null);
    }

    static OrderedDictionary<string, Tensor> Materialize(
        string path, ZipArchive zip, string prefix, IReadOnlyList<KeyValuePair<string, TensorRef>> refs, long fileLength)
    {
        // A storage used by one tensor that covers it exactly is handed out as is (no second copy of big weights).
        var users = refs.GroupBy(r => r.Value.Storage.Key).ToDictionary(g => g.Key, g => g.Count());
        var storages = new Dictionary<string, Tensor>();
        var result = new OrderedDictionary<string, Tensor>();
        using var scope = NewDisposeScope();
        foreach (var (name, t) in refs)
        {
            if (!storages.TryGetValue(t.Storage.Key, out var storage))
            {
                storage = ReadStorage(path, zip, prefix, t.Storage, fileLength);
                storages[t.Storage.Key] = storage;
            }
            long numel = TensorDTypes.CheckedNumel(t.Size)!.Value;
            bool whole = users[t.Storage.Key] == 1 && t.Offset == 0 && numel == t.Storage.Numel && IsContiguous(t.Size, t.Stride);
            Tensor tensor;
            if (whole) tensor = storage.view(t.Size);
            else
            {
                // An independent contiguous copy, so a small view does not keep a big shared storage alive.
                var view = storage.as_strided(t.Size, t.Stride, t.Offset);
                tensor = view.is_contiguous() ? view.clone() : view.contiguous();
            }
            result[name] = tensor;
        }
        foreach (var tensor in result.Values) tensor.MoveToOuterDisposeScope();
        return result;
    }

    static Tensor ReadStorage(string path, ZipArchive zip, string prefix, StorageRef s, long fileLength)
    {
        using var stream = StorageEntry(path, zip, prefix, s, fileLength).Open();
        return TensorBytes.Read(stream, new[] { s.Numel }, s.DType);
    }

    /// <summary>The zip entry holding storage <paramref name="s"/>, checked to hold exactly its bytes.</summary>
    static ZipArchiveEntry StorageEntry(string path, ZipArchive zip, string prefix, StorageRef s, long fileLength)
    {
        string entryName = prefix + "data/" + s.Key;
        var entry = zip.GetEntry(entryName)
            ?? throw new CheckpointFormatException(path, $"storage '{s.Key}' is missing (no zip entry '{entryName}')");
        if (s.Numel > long.MaxValue / s.DType.Size)
            throw new CheckpointFormatException(path, $"storage '{s.Key}' claims {s.Numel} elements");
        long need = s.Numel * s.DType.Size;
        if (entry.Length != need)
            throw new CheckpointFormatException(path,
                $"storage '{s.Key}' holds {entry.Length} bytes, but {s.Numel} x {s.DType.Storage} needs {need}");
        CheckDeclaredLength(path, entry, fileLength);
        return entry;
    }

    static void CheckView(string path, string name, TensorRef t)
    {
        string Problem(string what) => $"tensor '{name}' {what} (size {TensorDTypes.ShapeString(t.Size)}, " +
                                       $"stride {TensorDTypes.ShapeString(t.Stride)}, offset {t.Offset}, storage of {t.Storage.Numel})";
        if (t.Size.Length != t.Stride.Length) throw new CheckpointFormatException(path, Problem("has sizes and strides of different rank"));
        if (TensorDTypes.CheckedNumel(t.Size) is not { } numel) throw new CheckpointFormatException(path, Problem("has an invalid size"));
        if (t.Offset < 0 || t.Stride.Any(s => s < 0)) throw new CheckpointFormatException(path, Problem("has a negative offset or stride"));
        if (numel == 0) return;
        long last = t.Offset;
        try
        {
            for (int i = 0; i < t.Size.Length; i++) last = checked(last + (t.Size[i] - 1) * t.Stride[i]);
        }
        catch (OverflowException)
        {
            throw new CheckpointFormatException(path, Problem("reaches beyond its storage"));
        }
        if (last >= t.Storage.Numel) throw new CheckpointFormatException(path, Problem("reaches beyond its storage"));
    }

    static bool IsContiguous(long[] size, long[] stride)
    {
        long expected = 1;
        for (int i = size.Length - 1; i >= 0; i--)
        {
            if (size[i] != 1 && stride[i] != expected) return false;
            expected *= size[i];
        }
        return true;
    }

    static byte[] ReadSmallEntry(string path, ZipArchiveEntry entry, int maxBytes, long fileLength)
    {
        CheckDeclaredLength(path, entry, fileLength);
        if (entry.Length > maxBytes)
            throw new CheckpointFormatException(path, $"zip entry '{entry.FullName}' is {entry.Length} bytes, more than the {maxBytes} expected");
        var bytes = new byte[entry.Length];
        using var s = entry.Open();
        s.ReadExactly(bytes);
        return bytes;
    }

    // A zip header can claim any size; torch.save stores entries uncompressed, and no deflate stream expands more than
    // ~1032x, so a claim beyond that is a lie and must not drive an allocation.
    static void CheckDeclaredLength(string path, ZipArchiveEntry entry, long fileLength)
    {
        bool stored = entry.CompressedLength == entry.Length;
        if (entry.Length < 0 || (stored && entry.Length > fileLength) || entry.Length > fileLength * 1032L)
            throw new CheckpointFormatException(path, $"zip entry '{entry.FullName}' claims {entry.Length} bytes in a file of {fileLength}");
    }
}
