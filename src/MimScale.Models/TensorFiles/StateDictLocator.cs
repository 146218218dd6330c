namespace MimScale.Models.TensorFiles;

/// <summary>
/// Finds the state dict inside an unpickled checkpoint: either the top-level dict itself, or under a wrapper key
/// (official Swin/SimMIM training checkpoints: <c>{'model': sd, 'optimizer': ..., 'epoch': ..., 'config': ...}</c>).
/// </summary>
internal static class StateDictLocator
{
    const int MaxWrapperDepth = 4;

    public static (IReadOnlyList<KeyValuePair<string, TensorRef>> Tensors, string WrapperPath, IReadOnlyList<string> Ignored)
        Unwrap(string file, object? root, IReadOnlyList<string> wrapperKeys)
    {
        if (root is not PyDict dict)
            throw new CheckpointFormatException(file, $"the checkpoint holds {PyText.Describe(root)}, not a dict of tensors");

        var ignored = new List<string>();
        var path = new List<string>();
        for (int depth = 0; depth < MaxWrapperDepth && !dict.Items.Any(kv => kv.Value is TensorRef); depth++)
        {
            string? key = wrapperKeys.FirstOrDefault(k => dict.TryGet(k, out var v) && v is PyDict);
            if (key == null) break;
            string at = path.Count == 0 ? "" : string.Join(".", path) + ".";
            foreach (var (k, v) in dict.Items)
                if (!Equals(k, key)) ignored.Add($"{at}{KeyText(k)} ({PyText.Describe(v)})");
            dict.TryGet(key, out var inner);
            dict = (PyDict)inner!;
            path.Add(key);
        }

        var tensors = new List<KeyValuePair<string, TensorRef>>();
        foreach (var (k, v) in dict.Items)
        {
            if (k is string name && v is TensorRef t) tensors.Add(new(name, t));
            else ignored.Add($"state dict entry {KeyText(k)} ({PyText.Describe(v)})");
        }
        if (tensors.Count == 0)
        {
            var keys = string.Join(", ", dict.Items.Take(10).Select(kv => KeyText(kv.Key)));
            throw new CheckpointFormatException(file,
                $"no tensors found (entries: {(keys.Length == 0 ? "none" : keys)}; a state dict is expected at the top or under " +
                $"{string.Join("/", wrapperKeys.Select(w => $"'{w}'"))})");
        }
        return (tensors, string.Join(".", path), ignored);
    }

    static string KeyText(object? key) => key is string s ? s : PyText.Describe(key);
}
