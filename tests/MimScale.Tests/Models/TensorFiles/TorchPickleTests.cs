using System.Buffers.Binary;
using MimScale.Models.TensorFiles;
using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Tests.Models.TensorFiles;

/// <summary>Hand-built torch.save archives: dtypes, views, wrappers, and pickles that must be refused.</summary>
public class TorchPickleTests
{
    static byte[] Floats(params float[] v) { var b = new byte[v.Length * 4]; for (int i = 0; i < v.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(i * 4), v[i]); return b; }
    static byte[] Doubles(params double[] v) { var b = new byte[v.Length * 8]; for (int i = 0; i < v.Length; i++) BinaryPrimitives.WriteDoubleLittleEndian(b.AsSpan(i * 8), v[i]); return b; }
    static byte[] Longs(params long[] v) { var b = new byte[v.Length * 8]; for (int i = 0; i < v.Length; i++) BinaryPrimitives.WriteInt64LittleEndian(b.AsSpan(i * 8), v[i]); return b; }
    static byte[] Ints(params int[] v) { var b = new byte[v.Length * 4]; for (int i = 0; i < v.Length; i++) BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(i * 4), v[i]); return b; }
    static byte[] Shorts(params ushort[] v) { var b = new byte[v.Length * 2]; for (int i = 0; i < v.Length; i++) BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(i * 2), v[i]); return b; }

    /// <summary>
    /// {'model': OrderedDict(...tensors...), 'optimizer': {'state': {0: tensor on a storage absent from the zip},
    /// 'param_groups': []}, 'epoch': 7, 'config': CfgNode, 'args': Namespace, 'device': torch.device('cpu')}.
    /// </summary>
    internal static byte[] WrappedPickle()
    {
        var p = new TestPickle().Proto().EmptyDict().Mark();
        p.Str("model").Global("collections", "OrderedDict").EmptyTuple().Reduce().Mark();
        // Storage 0: float32 0..11 shared by three views.
        p.Str("a").Tensor("FloatStorage", "0", 12, 0, new long[] { 3, 4 }, new long[] { 4, 1 });
        p.Str("a_t").Tensor("FloatStorage", "0", 12, 0, new long[] { 4, 3 }, new long[] { 1, 4 });
        p.Str("a_slice").Tensor("FloatStorage", "0", 12, 5, new long[] { 2 }, new long[] { 1 });
        p.Str("d").Tensor("DoubleStorage", "1", 3, 0, new long[] { 3 }, new long[] { 1 });
        p.Str("scalar").Tensor("DoubleStorage", "1", 3, 1, Array.Empty<long>(), Array.Empty<long>());
        p.Str("h").Tensor("HalfStorage", "2", 2, 0, new long[] { 2 }, new long[] { 1 });
        p.Str("bf").Tensor("BFloat16Storage", "3", 2, 0, new long[] { 2 }, new long[] { 1 });
        p.Str("i64").Tensor("LongStorage", "4", 2, 0, new long[] { 2 }, new long[] { 1 });
        p.Str("i32").Tensor("IntStorage", "5", 1, 0, new long[] { 1 }, new long[] { 1 });
        p.Str("i16").Tensor("ShortStorage", "6", 1, 0, new long[] { 1 }, new long[] { 1 });
        p.Str("i8").Tensor("CharStorage", "7", 1, 0, new long[] { 1 }, new long[] { 1 });
        p.Str("u8").Tensor("ByteStorage", "8", 1, 0, new long[] { 1 }, new long[] { 1 });
        // A Parameter: _rebuild_parameter(tensor, requires_grad, hooks).
        p.Str("b").Global("torch._utils", "_rebuild_parameter").Mark()
            .Tensor("BoolStorage", "9", 2, 0, new long[] { 2 }, new long[] { 1 }).Raw(0x88)
            .Global("collections", "OrderedDict").EmptyTuple().Reduce().Tuple().Reduce();
        p.SetItems();
        // OrderedDict state: {'_metadata': {}} as torch.save writes it.
        p.EmptyDict().Str("_metadata").EmptyDict().SetItem().Build();

        p.Str("optimizer").EmptyDict().Mark()
            .Str("state").EmptyDict().Int(0).Tensor("FloatStorage", "99", 4, 0, new long[] { 4 }, new long[] { 1 }).SetItem()
            .Str("param_groups").EmptyList()
            .SetItems();
        p.Str("epoch").Int(7);
        p.Str("config").Global("yacs.config", "CfgNode").EmptyTuple().NewObj()
            .Mark().Str("MODEL").Str("swinv2").SetItems()
            .EmptyDict().Str("__immutable__").False().SetItem().Build();
        p.Str("args").Global("argparse", "Namespace").EmptyTuple().NewObj()
            .EmptyDict().Str("lr").Raw((byte)'G', 0x3f, 0x1a, 0x36, 0xe2, 0xeb, 0x1c, 0x43, 0x2d).SetItem().Build();
        p.Str("device").Global("torch", "device").Str("cpu").Tuple1().Reduce();
        return p.SetItems().Stop().Bytes;
    }

    internal static Dictionary<string, byte[]> WrappedStorages() => new()
    {
        ["0"] = Floats(Enumerable.Range(0, 12).Select(i => (float)i).ToArray()),
        ["1"] = Doubles(0.5, -1.25, 3.0),
        ["2"] = Shorts(0x3C00, 0xC000),   // float16 1.0, -2.0
        ["3"] = Shorts(0x3F80, 0x3F00),   // bfloat16 1.0, 0.5
        ["4"] = Longs(-1, 1L << 40),
        ["5"] = Ints(-5),
        ["6"] = Shorts(300),
        ["7"] = new byte[] { unchecked((byte)-3) },
        ["8"] = new byte[] { 200 },
        ["9"] = new byte[] { 1, 0 },
    };

    [Fact]
    public void WrappedCheckpointYieldsTheModelTensorsWithViewsAndAllDtypes()
    {
        using var dir = new TempFolder();
        string path = dir["ckpt.pth"];
        TestPickle.WriteCheckpoint(path, WrappedPickle(), WrappedStorages(), top: "some_run_name");
        using var scope = NewDisposeScope();
        var content = TensorFile.Load(path);
        var t = content.Tensors;

        Assert.Equal("model", content.StateDictPath);
        Assert.Equal(new[] { "optimizer (dict of 2 entries)", "epoch (int 7)", "config (yacs.config.CfgNode)", "args (argparse.Namespace)", "device (torch.device)" },
            content.Ignored);
        Assert.Equal(new[] { "a", "a_t", "a_slice", "d", "scalar", "h", "bf", "i64", "i32", "i16", "i8", "u8", "b" }, t.Keys);

        Assert.Equal(Enumerable.Range(0, 12).Select(i => (float)i), t["a"].data<float>().ToArray());
        // The transposed view, materialised contiguous: row r of a_t is column r of a.
        Assert.Equal(new float[] { 0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11 }, t["a_t"].data<float>().ToArray());
        Assert.True(t["a_t"].is_contiguous());
        Assert.Equal(new float[] { 5, 6 }, t["a_slice"].data<float>().ToArray());
        Assert.Equal(new[] { 0.5, -1.25, 3.0 }, t["d"].data<double>().ToArray());
        Assert.Empty(t["scalar"].shape);
        Assert.Equal(-1.25, t["scalar"].ToDouble());
        Assert.Equal(ScalarType.Float16, t["h"].dtype);
        Assert.Equal(new[] { 1.0f, -2.0f }, t["h"].to_type(ScalarType.Float32).data<float>().ToArray());
        Assert.Equal(ScalarType.BFloat16, t["bf"].dtype);
        Assert.Equal(new[] { 1.0f, 0.5f }, t["bf"].to_type(ScalarType.Float32).data<float>().ToArray());
        Assert.Equal(new[] { -1L, 1L << 40 }, t["i64"].data<long>().ToArray());
        Assert.Equal(-5, t["i32"].data<int>()[0]);
        Assert.Equal((short)300, t["i16"].data<short>()[0]);
        Assert.Equal((sbyte)-3, t["i8"].data<sbyte>()[0]);
        Assert.Equal((byte)200, t["u8"].data<byte>()[0]);
        Assert.Equal(ScalarType.Bool, t["b"].dtype);
        Assert.Equal(new[] { true, false }, t["b"].data<bool>().ToArray());
        // Writing to one view must not change another: each tensor owns its data.
        t["a"][0, 1] = tensor(100f);
        Assert.Equal(1f, t["a_t"][1, 0].ToSingle());
    }

    static CheckpointFormatException ReadFails(byte[] pickle, Dictionary<string, byte[]>? storages = null, string name = "model.pth")
    {
        using var dir = new TempFolder();
        string path = dir[name];
        TestPickle.WriteCheckpoint(path, pickle, storages ?? new(), top: "model");
        return Assert.Throws<CheckpointFormatException>(() => TensorFile.Read(path));
    }

    [Fact]
    public void OsSystemIsRefusedByName()
    {
        var pickle = new TestPickle().Proto().Global("os", "system").Str("echo pwned > /tmp/mimscale-pwned").Tuple1().Reduce().Stop().Bytes;
        var e = ReadFails(pickle);
        Assert.Equal("model.pth: refuses pickle global 'os.system': only tensors, storages and plain containers are allowed", e.Message);
    }

    [Theory]
    [InlineData("builtins", "eval")]
    [InlineData("torch", "load")]
    [InlineData("torch._utils", "_rebuild_device_tensor_from_numpy")]
    [InlineData("collections", "defaultdict")]
    [InlineData("numpy.core.multiarray", "_reconstruct")]
    public void OtherGlobalsAreRefused(string module, string name)
    {
        // A refused global hidden inside an otherwise valid state dict, via STACK_GLOBAL.
        var p = new TestPickle().Proto().Global("collections", "OrderedDict").EmptyTuple().Reduce()
            .Str("x").Str(module).Str(name).Raw(0x93).EmptyTuple().Reduce().SetItem().Stop();
        var e = ReadFails(p.Bytes);
        Assert.Contains($"refuses pickle global '{module}.{name}'", e.Message);
        Assert.StartsWith("model.pth: ", e.Message);
    }

    [Theory]
    [InlineData((byte)'i')] // INST
    [InlineData((byte)'o')] // OBJ
    [InlineData((byte)0x82)] // EXT1
    public void ObjectConstructionOpcodesAreRefused(byte op)
    {
        var e = ReadFails(new TestPickle().Proto().Mark().Raw(op, 1, 1, 1).Stop().Bytes);
        Assert.Contains("opcode", e.Message);
    }

    [Fact]
    public void ViewBeyondItsStorageIsRejected()
    {
        var p = new TestPickle().Proto().Global("collections", "OrderedDict").EmptyTuple().Reduce()
            .Str("w").Tensor("FloatStorage", "0", 4, 2, new long[] { 2, 2 }, new long[] { 2, 1 }).SetItem().Stop();
        var e = ReadFails(p.Bytes, new() { ["0"] = Floats(1, 2, 3, 4) });
        Assert.Contains("tensor 'w' reaches beyond its storage", e.Message);
    }

    [Fact]
    public void StorageOfTheWrongSizeIsRejected()
    {
        var p = new TestPickle().Proto().Global("collections", "OrderedDict").EmptyTuple().Reduce()
            .Str("w").Tensor("FloatStorage", "0", 4, 0, new long[] { 4 }, new long[] { 1 }).SetItem().Stop();
        var e = ReadFails(p.Bytes, new() { ["0"] = Floats(1, 2, 3) });
        Assert.Contains("storage '0' holds 12 bytes, but 4 x FloatStorage needs 16", e.Message);
    }

    [Fact]
    public void MissingStorageAndNoTensorsAreNamed()
    {
        var p = new TestPickle().Proto().Global("collections", "OrderedDict").EmptyTuple().Reduce()
            .Str("w").Tensor("FloatStorage", "3", 1, 0, new long[] { 1 }, new long[] { 1 }).SetItem().Stop();
        Assert.Contains("storage '3' is missing", ReadFails(p.Bytes).Message);

        var noTensors = new TestPickle().Proto().EmptyDict().Str("epoch").Int(3).SetItem().Stop();
        Assert.Contains("no tensors found (entries: epoch", ReadFails(noTensors.Bytes).Message);
    }

    [Fact]
    public void TruncatedPickleIsNamed()
    {
        var full = new TestPickle().Proto().Global("collections", "OrderedDict").EmptyTuple().Reduce()
            .Str("w").Tensor("FloatStorage", "0", 1, 0, new long[] { 1 }, new long[] { 1 }).SetItem().Stop().Bytes;
        var e = ReadFails(full[..(full.Length / 2)], new() { ["0"] = Floats(1) });
        Assert.StartsWith("model.pth: ", e.Message);
        Assert.Contains("pickle", e.Message);
    }
}
