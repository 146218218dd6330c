using static TorchSharp.torch;

namespace MimScale.Models.Checkpoints;

/// <summary>The on-disk formats <see cref="TensorFiles"/> reads.</summary>
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
