using static TorchSharp.torch;

namespace MimScale.Models.TensorFiles;

/// <summary>The on-disk formats <see cref="TensorFile"/> reads.</summary>
public enum TensorFileFormat
{
    /// <summary><c>torch.save</c> zip archive (PyTorch 1.6+): <c>&lt;name&gt;/data.pkl</c> + <c>&lt;name&gt;/data/&lt;key&gt;</c>.</summary>
    PyTorchZip,

    /// <summary>safetensors: 8-byte little-endian header length, JSON header, raw little-endian data.</summary>
    Safetensors,
}

/// <summary>
/// What a tensor file held: the tensors by name in file order (contiguous CPU tensors, owned by the caller), and
/// what was left out.
/// </summary>
/// <param name="Path">The file read.</param>
/// <param name="Format">Its detected format.</param>
/// <param name="Tensors">Name to tensor, in the order the file lists them.</param>
/// <param name="StateDictPath">
/// Where the state dict sat in a wrapping dict (<c>"model"</c> for <c>torch.save({'model': sd})</c>); empty when the
/// file held the state dict itself.
/// </param>
/// <param name="Ignored">
/// Entries that are not part of the weights, each "name (what it was)": wrapper entries such as
/// <c>optimizer (dict of 2 entries)</c>, <c>epoch (int 3)</c>, <c>config (yacs.config.CfgNode)</c>, and non-tensor values.
/// </param>
/// <param name="Metadata">safetensors <c>__metadata__</c> (empty for PyTorch files).</param>
public sealed record TensorFileContent(
    string Path,
    TensorFileFormat Format,
    IReadOnlyDictionary<string, Tensor> Tensors,
    string StateDictPath,
    IReadOnlyList<string> Ignored,
    IReadOnlyDictionary<string, string> Metadata);

/// <summary>One tensor's name, shape and dtype, as the file declares it (no data read).</summary>
public sealed record TensorInfo(string Name, long[] Shape, TorchSharp.torch.ScalarType DType)
{
    /// <summary>Number of elements.</summary>
    public long Numel => Shape.Aggregate(1L, (a, d) => a * d);
}

/// <summary>
/// What <see cref="TensorFile.LoadHeader"/> learns without reading any tensor data: names, shapes and dtypes in file
/// order, plus the same wrapper facts as <see cref="TensorFileContent"/>. Cheap even for multi-GB checkpoints.
/// </summary>
public sealed record TensorFileHeader(
    string Path,
    TensorFileFormat Format,
    IReadOnlyList<TensorInfo> Tensors,
    string StateDictPath,
    IReadOnlyList<string> Ignored,
    IReadOnlyDictionary<string, string> Metadata)
{
    /// <summary>Name to shape, in file order (the input of <see cref="ArchitectureInference.FromShapes"/>).</summary>
    public IReadOnlyDictionary<string, long[]> Shapes()
    {
        var result = new OrderedDictionary<string, long[]>();
        foreach (var t in Tensors) result[t.Name] = t.Shape;
        return result;
    }
}
