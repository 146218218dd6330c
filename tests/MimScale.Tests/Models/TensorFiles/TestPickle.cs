using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace MimScale.Tests.Models.TensorFiles;

/// <summary>
/// Emits pickle opcodes by hand (CPython pickletools names), to build checkpoints the way torch.save lays them out,
/// and hostile ones it never would.
/// </summary>
internal sealed class TestPickle
{
    readonly List<byte> b = new();

    public byte[] Bytes => b.ToArray();

    TestPickle Op(params byte[] bytes) { b.AddRange(bytes); return this; }

    public TestPickle Proto() => Op(0x80, 2);
    public TestPickle Stop() => Op((byte)'.');
    public TestPickle Mark() => Op((byte)'(');
    public TestPickle None() => Op((byte)'N');
    public TestPickle False() => Op(0x89);
    public TestPickle EmptyDict() => Op((byte)'}');
    public TestPickle EmptyList() => Op((byte)']');
    public TestPickle EmptyTuple() => Op((byte)')');
    public TestPickle Tuple() => Op((byte)'t');
    public TestPickle Tuple1() => Op(0x85);
    public TestPickle SetItem() => Op((byte)'s');
    public TestPickle SetItems() => Op((byte)'u');
    public TestPickle Appends() => Op((byte)'e');
    public TestPickle Reduce() => Op((byte)'R');
    public TestPickle NewObj() => Op(0x81);
    public TestPickle Build() => Op((byte)'b');
    public TestPickle BinPersId() => Op((byte)'Q');
    public TestPickle Put(byte i) => Op((byte)'q', i);
    public TestPickle Get(byte i) => Op((byte)'h', i);
    public TestPickle Raw(params byte[] bytes) => Op(bytes);

    public TestPickle Global(string module, string name) => Op((byte)'c').Op(Encoding.ASCII.GetBytes($"{module}\n{name}\n"));

    public TestPickle Str(string s)
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        var len = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(len, bytes.Length);
        return Op((byte)'X').Op(len).Op(bytes);
    }

    public TestPickle Int(long v)
    {
        if (v is >= 0 and < 256) return Op((byte)'K', (byte)v);
        if (v is >= int.MinValue and <= int.MaxValue)
        {
            var b = new byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(b, (int)v);
            return Op((byte)'J').Op(b);
        }
        var l = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(l, v);
        return Op(0x8a, 8).Op(l); // LONG1
    }

    public TestPickle IntTuple(params long[] values)
    {
        Mark();
        foreach (var v in values) Int(v);
        return Tuple();
    }

    /// <summary>torch._utils._rebuild_tensor_v2(persistent storage, offset, size, stride, False, OrderedDict()).</summary>
    public TestPickle Tensor(string storageType, string key, long storageNumel, long offset, long[] size, long[] stride)
    {
        Global("torch._utils", "_rebuild_tensor_v2");
        Mark();
        Mark().Str("storage").Global("torch", storageType).Str(key).Str("cpu").Int(storageNumel).Tuple().BinPersId();
        Int(offset).IntTuple(size).IntTuple(stride).False();
        Global("collections", "OrderedDict").EmptyTuple().Reduce();
        return Tuple().Reduce();
    }

    /// <summary>A torch.save-style zip: &lt;top&gt;/data.pkl, &lt;top&gt;/data/&lt;key&gt; storages, &lt;top&gt;/version.</summary>
    public static void WriteCheckpoint(string path, byte[] pickle, IReadOnlyDictionary<string, byte[]> storages, string top = "archive")
    {
        using var file = File.Create(path);
        using var zip = new ZipArchive(file, ZipArchiveMode.Create);
        void Entry(string name, byte[] data)
        {
            using var s = zip.CreateEntry($"{top}/{name}", CompressionLevel.NoCompression).Open();
            s.Write(data);
        }
        Entry("data.pkl", pickle);
        foreach (var (key, data) in storages) Entry($"data/{key}", data);
        Entry("version", "3\n"u8.ToArray());
    }
}
