using System.Numerics;

namespace MimScale.Models.TensorFiles;

// The values the restricted unpickler builds. They are plain data: nothing in a pickle ever runs code here, a
// "call" (REDUCE/NEWOBJ) only combines these records according to the allow-listed global it names.

/// <summary>A Python dict or OrderedDict, in insertion order.</summary>
internal sealed class PyDict
{
    readonly List<KeyValuePair<object?, object?>> items = new();
    readonly Dictionary<object, int> index = new();

    /// <summary>"dict", "collections.OrderedDict", or an opaque class name for dict subclasses (yacs CfgNode).</summary>
    public string TypeName { get; }

    public PyDict(string typeName) => TypeName = typeName;

    public IReadOnlyList<KeyValuePair<object?, object?>> Items => items;

    public int Count => items.Count;

    /// <summary>Python semantics: assigning an existing key replaces its value in place.</summary>
    public void Set(object? key, object? value)
    {
        // Only strings and integers are looked up later; other keys (tuples...) are kept in order but not indexed.
        if (key is string or long)
        {
            if (index.TryGetValue(key, out int at)) { items[at] = new(key, value); return; }
            index[key] = items.Count;
        }
        items.Add(new(key, value));
    }

    public bool TryGet(string key, out object? value)
    {
        if (index.TryGetValue(key, out int at)) { value = items[at].Value; return true; }
        value = null;
        return false;
    }
}

/// <summary>A Python list or set (sets only occur inside ignored entries).</summary>
internal sealed class PyList
{
    public List<object?> Items { get; } = new();
}

/// <summary>A Python tuple.</summary>
internal sealed record PyTuple(object?[] Items);

/// <summary>The allow-listed globals and what a call to each of them builds.</summary>
internal enum GlobalKind
{
    OrderedDict,
    RebuildTensorV2,
    RebuildParameter,
    StorageType,
    Device,
    OpaqueClass,
}

/// <summary>A GLOBAL that passed the allow-list.</summary>
internal sealed record PyGlobal(string Module, string Name, GlobalKind Kind, TensorDTypes.Info? StorageDType = null)
{
    public string FullName => $"{Module}.{Name}";
}

/// <summary>A storage named by a persistent id: its bytes are the zip entry data/&lt;Key&gt;.</summary>
internal sealed record StorageRef(string Key, TensorDTypes.Info DType, string Location, long Numel);

/// <summary>A tensor view of a storage (torch._utils._rebuild_tensor_v2 arguments).</summary>
internal sealed record TensorRef(StorageRef Storage, long Offset, long[] Size, long[] Stride);

/// <summary>An instance of an allow-listed opaque class (config objects, devices): kept as a name, never inspected.</summary>
internal sealed class PyOpaque
{
    public string TypeName { get; }

    public PyOpaque(string typeName) => TypeName = typeName;
}

/// <summary>Short descriptions of pickle values for messages and reports.</summary>
internal static class PyText
{
    /// <summary>A short description of a value for messages and reports (never recursive, so cycles are harmless).</summary>
    public static string Describe(object? v) => v switch
    {
        null => "None",
        bool b => b ? "True" : "False",
        long or BigInteger => $"int {v}",
        double d => $"float {d:R}",
        string s => s.Length <= 40 ? $"str '{s}'" : $"str of {s.Length} chars",
        byte[] bytes => $"bytes of {bytes.Length}",
        PyTuple t => $"tuple of {t.Items.Length}",
        PyList l => $"list of {l.Items.Count}",
        PyDict d => d.TypeName switch
        {
            "dict" or "collections.OrderedDict" => $"dict of {d.Count} entries",
            var name => name,
        },
        TensorRef t => $"tensor {TensorDTypes.ShapeString(t.Size)}",
        StorageRef => "storage",
        PyGlobal g => g.FullName,
        PyOpaque o => o.TypeName,
        _ => v.GetType().Name,
    };
}
