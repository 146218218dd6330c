using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace MimScale.Models.TensorFiles;

/// <summary>
/// A pickle virtual machine for what <c>torch.save</c> writes (protocol 2, plus the protocol 3-5 framing and string
/// opcodes), that never executes anything: GLOBAL may only name the allow-list in <see cref="ResolveGlobal"/>, and a
/// "call" of an allowed global only builds one of the records in PickleValues.cs. Every length is checked against the
/// bytes left, so a corrupt pickle fails with a <see cref="CheckpointFormatException"/>, never a huge allocation.
/// Opcode reference: CPython Lib/pickletools.py.
/// </summary>
internal sealed class RestrictedUnpickler
{
    const string AllowedSummary = "only tensors, storages and plain containers are allowed";

    readonly byte[] data;
    readonly string file;
    readonly string entry;
    int pos;
    readonly List<object?> stack = new();
    readonly Stack<int> marks = new();
    readonly Dictionary<long, object?> memo = new();

    RestrictedUnpickler(byte[] data, string file, string entry)
    {
        this.data = data;
        this.file = file;
        this.entry = entry;
    }

    /// <summary>Runs the pickle in <paramref name="data"/> (the zip entry <paramref name="entry"/> of <paramref name="file"/>).</summary>
    public static object? Load(byte[] data, string file, string entry) => new RestrictedUnpickler(data, file, entry).Run();

    CheckpointFormatException Fail(string problem) => new(file, $"{problem} (pickle '{entry}', byte {pos})");

    object? Run()
    {
        while (true)
        {
            if (pos >= data.Length) throw Fail("pickle ends without STOP (truncated?)");
            int at = pos;
            byte op = data[pos++];
            switch (op)
            {
                case 0x80: ReadBytes(1); break;                                  // PROTO n
                case 0x95: ReadBytes(8); break;                                  // FRAME len (framing is advisory)
                case (byte)'.':                                                  // STOP
                    if (stack.Count != 1 || marks.Count != 0) throw Fail("pickle stack is not a single value at STOP");
                    return stack[0];
                case (byte)'(': marks.Push(stack.Count); break;                // MARK
                case (byte)'0': Pop(); break;                                    // POP
                case (byte)'1': PopMark(); break;                                // POP_MARK
                case (byte)'2': Push(Peek()); break;                             // DUP
                case (byte)'N': Push(null); break;                               // NONE
                case 0x88: Push(true); break;                                    // NEWTRUE
                case 0x89: Push(false); break;                                   // NEWFALSE
                case (byte)'J': Push((long)BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4))); break;  // BININT
                case (byte)'K': Push((long)ReadBytes(1)[0]); break;              // BININT1
                case (byte)'M': Push((long)BinaryPrimitives.ReadUInt16LittleEndian(ReadBytes(2))); break; // BININT2
                case 0x8a: Push(ReadLong(ReadBytes(1)[0])); break;               // LONG1
                case 0x8b: Push(ReadLong(ReadLength(4))); break;                 // LONG4
                case (byte)'G': Push(BinaryPrimitives.ReadDoubleBigEndian(ReadBytes(8))); break;          // BINFLOAT
                case (byte)'X': Push(Utf8(ReadLength(4))); break;                // BINUNICODE
                case 0x8c: Push(Utf8(ReadBytes(1)[0])); break;                   // SHORT_BINUNICODE
                case 0x8d: Push(Utf8(ReadLength(8))); break;                     // BINUNICODE8
                case (byte)'T': Push(Latin1(ReadLength(4))); break;              // BINSTRING (py2 str)
                case (byte)'U': Push(Latin1(ReadBytes(1)[0])); break;            // SHORT_BINSTRING
                case (byte)'B': Push(ReadBytes(ReadLength(4)).ToArray()); break; // BINBYTES
                case (byte)'C': Push(ReadBytes(ReadBytes(1)[0]).ToArray()); break; // SHORT_BINBYTES
                case 0x8e: Push(ReadBytes(ReadLength(8)).ToArray()); break;      // BINBYTES8
                case (byte)')': Push(new PyTuple(Array.Empty<object?>())); break; // EMPTY_TUPLE
                case (byte)'t': Push(new PyTuple(PopMark())); break;             // TUPLE
                case 0x85: Push(new PyTuple(new[] { Pop() })); break;            // TUPLE1
                case 0x86: { var b = Pop(); var a = Pop(); Push(new PyTuple(new[] { a, b })); break; }           // TUPLE2
                case 0x87: { var c = Pop(); var b = Pop(); var a = Pop(); Push(new PyTuple(new[] { a, b, c })); break; } // TUPLE3
                case (byte)']': Push(new PyList()); break;                       // EMPTY_LIST
                case 0x8f: Push(new PyList()); break;                            // EMPTY_SET
                case (byte)'a': { var v = Pop(); Append(Peek(), new[] { v }); break; }      // APPEND
                case (byte)'e': case 0x90: { var vs = PopMark(); Append(Peek(), vs); break; } // APPENDS, ADDITEMS
                case 0x91: { var vs = PopMark(); var set = new PyList(); set.Items.AddRange(vs); Push(set); break; } // FROZENSET
                case (byte)'}': Push(new PyDict("dict")); break;                 // EMPTY_DICT
                case (byte)'s': { var v = Pop(); var k = Pop(); AsDict(Peek(), "SETITEM").Set(k, v); break; }     // SETITEM
                case (byte)'u':                                                  // SETITEMS
                    {
                        var kv = PopMark();
                        if (kv.Length % 2 != 0) throw Fail("SETITEMS with an odd number of items");
                        var dict = AsDict(Peek(), "SETITEMS");
                        for (int i = 0; i < kv.Length; i += 2) dict.Set(kv[i], kv[i + 1]);
                        break;
                    }
                case (byte)'q': memo[ReadBytes(1)[0]] = Peek(); break;          // BINPUT
                case (byte)'r': memo[BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4))] = Peek(); break; // LONG_BINPUT
                case 0x94: memo[memo.Count] = Peek(); break;                   // MEMOIZE
                case (byte)'h': Push(Memo(ReadBytes(1)[0])); break;              // BINGET
                case (byte)'j': Push(Memo(BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4)))); break; // LONG_BINGET
                case (byte)'c': { var module = ReadLine(); var name = ReadLine(); Push(ResolveGlobal(module, name)); break; } // GLOBAL
                case 0x93:                                                       // STACK_GLOBAL
                    {
                        var name = Pop() as string ?? throw Fail("STACK_GLOBAL name is not a string");
                        var module = Pop() as string ?? throw Fail("STACK_GLOBAL module is not a string");
                        Push(ResolveGlobal(module, name));
                        break;
                    }
                case (byte)'R': { var args = Pop(); var fn = Pop(); Push(Call(fn, args)); break; } // REDUCE
                case 0x81: { var args = Pop(); var cls = Pop(); Push(Call(cls, args)); break; }    // NEWOBJ
                case 0x92: { Pop(); var args = Pop(); var cls = Pop(); Push(Call(cls, args)); break; } // NEWOBJ_EX
                case (byte)'b': { var state = Pop(); Build(Peek(), state); break; } // BUILD
                case (byte)'Q': Push(PersistentLoad(Pop())); break;              // BINPERSID
                default:
                    pos = at;
                    throw Fail($"unsupported or refused pickle opcode 0x{op:x2}" +
                               (op is (byte)'i' or (byte)'o' or 0x82 or 0x83 or 0x84 ? " (object construction)" : ""));
            }
        }
    }

    // ---- allow-list ------------------------------------------------------------------------------------------

    PyGlobal ResolveGlobal(string module, string name)
    {
        // Printable in messages whatever bytes the file holds.
        string full = new string($"{module}.{name}".Select(ch => char.IsControl(ch) ? '?' : ch).Take(200).ToArray());
        PyGlobal? g = full switch
        {
            "collections.OrderedDict" => new(module, name, GlobalKind.OrderedDict),
            "torch._utils._rebuild_tensor_v2" => new(module, name, GlobalKind.RebuildTensorV2),
            "torch._utils._rebuild_parameter" => new(module, name, GlobalKind.RebuildParameter),
            "torch.device" => new(module, name, GlobalKind.Device),
            // Config objects saved next to the weights: rebuilt as opaque dicts, their classes never touched.
            "argparse.Namespace" or "yacs.config.CfgNode" => new(module, name, GlobalKind.OpaqueClass),
            _ => null,
        };
        if (g == null && module == "torch" && TensorDTypes.ByStorageName(name) is { } dtype)
            g = new(module, name, GlobalKind.StorageType, dtype);
        return g ?? throw new CheckpointFormatException(file, $"refuses pickle global '{full}': {AllowedSummary}");
    }

    object? Call(object? fn, object? args)
    {
        if (fn is not PyGlobal g) throw Fail($"call of a non-callable value ({PyText.Describe(fn)})");
        var a = (args as PyTuple)?.Items ?? throw Fail($"call of '{g.FullName}' without an argument tuple");
        switch (g.Kind)
        {
            case GlobalKind.OrderedDict:
                {
                    var dict = new PyDict("collections.OrderedDict");
                    if (a.Length == 1 && a[0] is PyList pairs)
                        foreach (var p in pairs.Items)
                            if (p is PyTuple { Items.Length: 2 } kv) dict.Set(kv.Items[0], kv.Items[1]);
                            else throw Fail("OrderedDict built from something other than (key, value) pairs");
                    else if (a.Length != 0) throw Fail("OrderedDict called with unexpected arguments");
                    return dict;
                }
            case GlobalKind.RebuildTensorV2:
                // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
                if (a.Length is < 4 or > 7 || a[0] is not StorageRef storage)
                    throw Fail("_rebuild_tensor_v2 with unexpected arguments");
                return new TensorRef(storage, AsLong(a[1], "storage offset"), LongTuple(a[2], "size"), LongTuple(a[3], "stride"));
            case GlobalKind.RebuildParameter:
                // (data, requires_grad, backward_hooks): a Parameter is its data tensor here.
                if (a.Length < 1 || a[0] is not TensorRef t) throw Fail("_rebuild_parameter without a tensor");
                return t;
            case GlobalKind.Device:
                return new PyOpaque("torch.device");
            case GlobalKind.OpaqueClass:
                return new PyDict(g.FullName);
            default:
                throw Fail($"'{g.FullName}' cannot be called");
        }
    }

    object PersistentLoad(object? pid)
    {
        // torch.save: ('storage', storage_type, key, location, numel)
        if (pid is not PyTuple { Items.Length: 5 } t || t.Items[0] as string != "storage")
            throw Fail($"persistent id is not a torch storage reference ({PyText.Describe(pid)})");
        if (t.Items[1] is not PyGlobal { Kind: GlobalKind.StorageType, StorageDType: { } dtype })
            throw Fail("persistent id names no storage type");
        var key = t.Items[2] as string ?? throw Fail("storage key is not a string");
        if (key.Length == 0 || key.Contains('/') || key.Contains('\\') || key.Contains(".."))
            throw Fail($"invalid storage key '{key}'");
        long numel = AsLong(t.Items[4], "storage size");
        if (numel < 0) throw Fail($"negative storage size {numel}");
        return new StorageRef(key, dtype, t.Items[3] as string ?? "?", numel);
    }

    void Build(object? target, object? state)
    {
        // OrderedDict state is {'_metadata': ...} (module versions); opaque objects' state is their attributes.
        // Both are irrelevant to the weights and dropped.
        if (target is PyDict or PyOpaque) return;
        throw Fail($"BUILD on {PyText.Describe(target)}");
    }

    void Append(object? target, object?[] values)
    {
        if (target is PyList list) list.Items.AddRange(values);
        else if (target is PyDict { TypeName: not "dict" and not "collections.OrderedDict" }) { /* opaque list-like: ignore */ }
        else throw Fail($"APPEND to {PyText.Describe(target)}");
    }

    PyDict AsDict(object? target, string op) => target as PyDict ?? throw Fail($"{op} on {PyText.Describe(target)}");

    // ---- primitive readers -----------------------------------------------------------------------------------

    ReadOnlySpan<byte> ReadBytes(int n)
    {
        if (n < 0 || n > data.Length - pos) throw Fail($"needs {n} bytes, only {data.Length - pos} left (truncated?)");
        var span = data.AsSpan(pos, n);
        pos += n;
        return span;
    }

    int ReadLength(int width)
    {
        var b = ReadBytes(width);
        ulong n = width == 4 ? BinaryPrimitives.ReadUInt32LittleEndian(b) : BinaryPrimitives.ReadUInt64LittleEndian(b);
        if (n > (ulong)(data.Length - pos)) throw Fail($"length {n} exceeds the {data.Length - pos} bytes left");
        return (int)n;
    }

    string Utf8(int n)
    {
        try { return new UTF8Encoding(false, true).GetString(ReadBytes(n)); }
        catch (DecoderFallbackException) { throw Fail("invalid UTF-8 in a string"); }
    }

    string Latin1(int n) => Encoding.Latin1.GetString(ReadBytes(n));

    string ReadLine()
    {
        int end = Array.IndexOf(data, (byte)'\n', pos);
        if (end < 0 || end - pos > 256) throw Fail("GLOBAL name is not a short newline-terminated line");
        var s = Encoding.ASCII.GetString(data, pos, end - pos);
        pos = end + 1;
        return s;
    }

    object ReadLong(int n)
    {
        if (n > 1024) throw Fail($"integer of {n} bytes");
        var bytes = ReadBytes(n);
        var big = new BigInteger(bytes, isUnsigned: false, isBigEndian: false);
        return big >= long.MinValue && big <= long.MaxValue ? (long)big : big;
    }

    // ---- stack ------------------------------------------------------------------------------------------------

    void Push(object? v) => stack.Add(v);

    object? Peek() => stack.Count > Floor() ? stack[^1] : throw Fail("pickle stack underflow");

    object? Pop()
    {
        if (stack.Count <= Floor()) throw Fail("pickle stack underflow");
        var v = stack[^1];
        stack.RemoveAt(stack.Count - 1);
        return v;
    }

    int Floor() => marks.Count > 0 ? marks.Peek() : 0;

    object?[] PopMark()
    {
        if (marks.Count == 0) throw Fail("no MARK on the stack");
        int mark = marks.Pop();
        var items = stack.GetRange(mark, stack.Count - mark).ToArray();
        stack.RemoveRange(mark, stack.Count - mark);
        return items;
    }

    object? Memo(long index) => memo.TryGetValue(index, out var v) ? v : throw Fail($"memo entry {index} was never stored");

    long AsLong(object? v, string what) => v is long l ? l : throw Fail($"{what} is not an integer ({PyText.Describe(v)})");

    long[] LongTuple(object? v, string what)
    {
        if (v is not PyTuple t) throw Fail($"{what} is not a tuple ({PyText.Describe(v)})");
        var r = new long[t.Items.Length];
        for (int i = 0; i < r.Length; i++) r[i] = AsLong(t.Items[i], what);
        return r;
    }
}
