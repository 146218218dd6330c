using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using MimScale.Files;
using static TorchSharp.torch;

namespace MimScale.Models.TensorFiles;

/// <summary>
/// The safetensors format (huggingface/safetensors): an 8-byte little-endian header length N, N bytes of UTF-8 JSON
/// <c>{"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, "__metadata__": {..}}</c> padded with
/// spaces, then the raw little-endian C-order data; offsets are relative to the end of the header.
/// </summary>
public static class SafetensorsFile
{
    /// <summary>The reference implementation's header limit; a larger claim is treated as corruption.</summary>
    public const long MaxHeaderBytes = 100_000_000;

    /// <summary>
    /// Writes <paramref name="tensors"/> with exactly their names, in the given order (data laid out in that order),
    /// atomically (temp file in the same folder, flush, rename).
    /// </summary>
    public static void Write(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IDictionary<string, string>? metadata = null)
    {
        TensorBytes.EnsureLittleEndianHost();
        var list = tensors.ToList();
        var seen = new HashSet<string>();
        foreach (var (name, _) in list)
        {
            if (name == "__metadata__") throw new ArgumentException("'__metadata__' is reserved and cannot name a tensor");
            if (!seen.Add(name)) throw new ArgumentException($"tensor name '{name}' appears twice");
        }
        byte[] header = BuildHeader(list, metadata);
        AtomicFile.Write(path, stream =>
        {
            Span<byte> len = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)header.Length);
            stream.Write(len);
            stream.Write(header);
            foreach (var (_, tensor) in list) TensorBytes.Write(stream, tensor);
        });
    }

    static byte[] BuildHeader(List<KeyValuePair<string, Tensor>> tensors, IDictionary<string, string>? metadata)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject("__metadata__");
                foreach (var (k, v) in metadata) json.WriteString(k, v);
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (var (name, tensor) in tensors)
            {
                var dtype = TensorDTypes.Of(tensor.dtype);
                long bytes = tensor.numel() * dtype.Size;
                json.WriteStartObject(name);
                json.WriteString("dtype", dtype.Safetensors);
                json.WriteStartArray("shape");
                foreach (long d in tensor.shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + bytes);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += bytes;
            }
            json.WriteEndObject();
        }
        // Pad with spaces so the data starts 8-byte aligned (8 + header length is a multiple of 8).
        int pad = (int)((8 - buffer.Length % 8) % 8);
        for (int i = 0; i < pad; i++) buffer.WriteByte((byte)' ');
        return buffer.ToArray();
    }

    internal static (TensorFileHeader Header, OrderedDictionary<string, Tensor>? Tensors) Read(string path, FileStream stream, bool withData)
    {
        TensorBytes.EnsureLittleEndianHost();
        long fileLength = stream.Length;
        CheckpointFormatException Fail(string problem) => new(path, $"safetensors: {problem}");
        if (fileLength < 8) throw Fail($"file of {fileLength} bytes is too short for the 8-byte header length");

        Span<byte> lenBytes = stackalloc byte[8];
        stream.Position = 0;
        stream.ReadExactly(lenBytes);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lenBytes);
        if (headerLength > (ulong)(fileLength - 8))
            throw Fail($"header length {headerLength} is larger than the file ({fileLength} bytes): truncated or corrupt");
        if (headerLength > MaxHeaderBytes) throw Fail($"header length {headerLength} exceeds the {MaxHeaderBytes}-byte limit");
        var header = new byte[headerLength];
        stream.ReadExactly(header);
        long dataStart = 8 + (long)headerLength, dataLength = fileLength - dataStart;

        if (!System.Text.Unicode.Utf8.IsValid(header)) throw Fail("header is not valid UTF-8");
        JsonDocument doc;
        try { doc = JsonDocument.Parse(header); }
        catch (JsonException e) { throw Fail($"header is not valid JSON ({e.Message})"); }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw Fail("header is not a JSON object");
            var metadata = new Dictionary<string, string>();
            var entries = new List<(string Name, TensorDTypes.Info DType, long[] Shape, long Begin, long End)>();
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                if (prop.Name == "__metadata__")
                {
                    if (prop.Value.ValueKind != JsonValueKind.Object) throw Fail("__metadata__ is not an object");
                    foreach (var m in prop.Value.EnumerateObject())
                        metadata[m.Name] = m.Value.ValueKind == JsonValueKind.String ? m.Value.GetString()! : throw Fail($"__metadata__ '{m.Name}' is not a string");
                    continue;
                }
                entries.Add(ParseEntry(prop, dataLength, Fail));
            }
            CheckLayout(entries.Select(e => (e.Name, e.Begin, e.End)), dataLength, Fail);

            var infos = entries.Select(e => new TensorInfo(e.Name, e.Shape, e.DType.Type)).ToList();
            var fileHeader = new TensorFileHeader(path, TensorFileFormat.Safetensors, infos, "", Array.Empty<string>(), metadata);
            if (!withData) return (fileHeader, null);

            var tensors = new OrderedDictionary<string, Tensor>();
            using var scope = NewDisposeScope();
            foreach (var (name, dtype, shape, begin, _) in entries)
            {
                stream.Position = dataStart + begin;
                tensors[name] = TensorBytes.Read(stream, shape, dtype);
            }
            foreach (var t in tensors.Values) t.MoveToOuterDisposeScope();
            return (fileHeader, tensors);
        }
    }

    static (string, TensorDTypes.Info, long[], long, long) ParseEntry(JsonProperty prop, long dataLength, Func<string, CheckpointFormatException> fail)
    {
        string name = prop.Name;
        var v = prop.Value;
        if (v.ValueKind != JsonValueKind.Object) throw fail($"entry '{name}' is not an object");
        if (!v.TryGetProperty("dtype", out var dt) || dt.ValueKind != JsonValueKind.String)
            throw fail($"entry '{name}' has no dtype");
        var dtype = TensorDTypes.BySafetensorsName(dt.GetString()!) ?? throw fail($"entry '{name}' has unsupported dtype '{dt.GetString()}'");
        long[] shape = LongArray(v, "shape", name, fail);
        long[] offsets = LongArray(v, "data_offsets", name, fail);
        if (offsets.Length != 2) throw fail($"entry '{name}' data_offsets must be [begin, end]");
        long numel = TensorDTypes.CheckedNumel(shape) ?? throw fail($"entry '{name}' has an invalid shape {TensorDTypes.ShapeString(shape)}");
        long begin = offsets[0], end = offsets[1];
        if (begin < 0 || end < begin || end > dataLength)
            throw fail($"entry '{name}' data_offsets [{begin}, {end}] lie outside the {dataLength} data bytes (truncated?)");
        long span = end - begin;
        if (span % dtype.Size != 0 || numel != span / dtype.Size)
            throw fail($"entry '{name}' spans {span} bytes, but shape {TensorDTypes.ShapeString(shape)} needs {numel} x {dtype.Size} bytes");
        return (name, dtype, shape, begin, end);
    }

    /// <summary>
    /// The tensors must tile the data section exactly, as the reference reader demands (huggingface/safetensors
    /// tensor.rs: <c>Metadata::validate</c> sorts by offsets and requires each begin to equal the previous end, and
    /// <c>read_metadata</c> requires the last end to equal the buffer length): no two tensors share bytes (one write
    /// would silently change the other), no bytes hide between or after them.
    /// </summary>
    static void CheckLayout(IEnumerable<(string Name, long Begin, long End)> entries, long dataLength, Func<string, CheckpointFormatException> fail)
    {
        long covered = 0;
        string? previous = null;
        foreach (var (name, begin, end) in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            if (begin < covered)
                throw fail($"tensors '{previous}' and '{name}' overlap: '{name}' begins at byte {begin}, before '{previous}' ends at byte {covered}");
            if (begin > covered)
                throw fail(previous is null
                    ? $"bytes [0, {begin}) of the data section belong to no tensor (the first, '{name}', begins at byte {begin})"
                    : $"bytes [{covered}, {begin}) of the data section belong to no tensor (between '{previous}' and '{name}')");
            covered = end;
            previous = name;
        }
        if (covered != dataLength)
            throw fail(previous is null
                ? $"no tensors, but a data section of {dataLength} bytes"
                : $"bytes [{covered}, {dataLength}) of the data section belong to no tensor (after '{previous}', the last)");
    }

    static long[] LongArray(JsonElement v, string field, string name, Func<string, CheckpointFormatException> fail)
    {
        if (!v.TryGetProperty(field, out var arr) || arr.ValueKind != JsonValueKind.Array)
            throw fail($"entry '{name}' has no {field} array");
        var r = new long[arr.GetArrayLength()];
        int i = 0;
        foreach (var e in arr.EnumerateArray())
            r[i++] = e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out long x) && x >= 0 ? x : throw fail($"entry '{name}' {field} holds '{e}'");
        return r;
    }
}
