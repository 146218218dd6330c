using System.Globalization;
using System.Text.Json;

namespace MimScale.Dense.Coco;

/// <summary>
/// Typed access to the fields of COCO JSON entries; every failure names the entry (e.g.
/// <c>GT.json: annotations[12] (id 57): bbox must be 4 numbers</c>) and is an <see cref="InvalidDataException"/>.
/// </summary>
internal static class CocoJsonFields
{
    private static readonly JsonDocumentOptions Options = new() { AllowTrailingCommas = false, MaxDepth = 64 };

    /// <summary>Parses a whole file; malformed JSON is reported with the file name, line and byte position.</summary>
    public static JsonDocument Parse(string json, string source) => Parse(() => JsonDocument.Parse(json, Options), source);

    /// <summary>Reads and parses a file as UTF-8 bytes (no UTF-16 copy of a large results file).</summary>
    public static JsonDocument ParseFile(string path) => Parse(() => JsonDocument.Parse(File.ReadAllBytes(path), Options), path);

    private static JsonDocument Parse(Func<JsonDocument> parse, string source)
    {
        try { return parse(); }
        catch (JsonException e)
        {
            // System.Text.Json counts lines and bytes from 0 and appends them to its message; say them once, from 1.
            string what = e.Message;
            int cut = what.IndexOf(" LineNumber:", StringComparison.Ordinal);
            if (cut > 0) what = what[..cut];
            throw new InvalidDataException($"{source}: malformed JSON at line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}: {what}", e);
        }
    }

    public static InvalidDataException Error(string where, string problem) => new($"{where}: {problem}");

    public static bool Has(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null;

    public static JsonElement Get(JsonElement e, string name, string where)
    {
        if (e.ValueKind != JsonValueKind.Object) throw Error(where, $"must be an object, not {Kind(e)}");
        return e.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v : throw Error(where, $"has no '{name}'");
    }

    public static JsonElement.ArrayEnumerator Array(JsonElement e, string name, string where)
    {
        var v = Get(e, name, where);
        return v.ValueKind == JsonValueKind.Array ? v.EnumerateArray() : throw Error(where, $"'{name}' must be a list, not {Kind(v)}");
    }

    /// <summary>An integer id; 3.0 is accepted as 3, 3.5 is not.</summary>
    public static long Id(JsonElement e, string name, string where)
    {
        var v = Get(e, name, where);
        if (v.ValueKind == JsonValueKind.Number)
        {
            if (v.TryGetInt64(out long l)) return l;
            double d = v.GetDouble();
            if (Math.Floor(d) == d && Math.Abs(d) < 9e15) return (long)d;
        }
        throw Error(where, $"'{name}' must be an integer, not {Text(v)}");
    }

    public static int PositiveInt(JsonElement e, string name, string where)
    {
        long v = Id(e, name, where);
        return v is > 0 and <= 1 << 20 ? (int)v : throw Error(where, $"'{name}' must be a positive integer, not {v}");
    }

    public static double Number(JsonElement e, string name, string where)
    {
        var v = Get(e, name, where);
        return Finite(v, $"'{name}'", where);
    }

    public static double Finite(JsonElement v, string what, string where)
    {
        if (v.ValueKind != JsonValueKind.Number) throw Error(where, $"{what} must be a number, not {Text(v)}");
        double d = v.GetDouble();
        return double.IsFinite(d) ? d : throw Error(where, $"{what} is not finite");
    }

    /// <summary>iscrowd as 0/1 or false/true; absent means 0.</summary>
    public static bool Flag(JsonElement e, string name, string where)
    {
        if (!Has(e, name)) return false;
        var v = e.GetProperty(name);
        if (v.ValueKind == JsonValueKind.True) return true;
        if (v.ValueKind == JsonValueKind.False) return false;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int i) && i is 0 or 1) return i == 1;
        throw Error(where, $"'{name}' must be 0 or 1, not {Text(v)}");
    }

    /// <summary>A box [x, y, w, h]; null when absent or an empty list.</summary>
    public static CocoBox? Box(JsonElement e, string where)
    {
        if (!Has(e, "bbox")) return null;
        var v = e.GetProperty("bbox");
        if (v.ValueKind != JsonValueKind.Array) throw Error(where, $"'bbox' must be [x, y, w, h], not {Kind(v)}");
        int n = v.GetArrayLength();
        if (n == 0) return null;
        if (n != 4) throw Error(where, $"'bbox' must be 4 numbers [x, y, w, h], got {n}");
        return new CocoBox(Finite(v[0], "bbox[0]", where), Finite(v[1], "bbox[1]", where),
                           Finite(v[2], "bbox[2]", where), Finite(v[3], "bbox[3]", where));
    }

    public static string? OptionalString(JsonElement e, string name, string where)
    {
        if (!Has(e, name)) return null;
        var v = e.GetProperty(name);
        return v.ValueKind == JsonValueKind.String ? v.GetString() : throw Error(where, $"'{name}' must be a string, not {Kind(v)}");
    }

    /// <summary>
    /// A <c>segmentation</c>: a list of polygons, or <c>{"size": [h, w], "counts": "..."|[...]}</c>. Null when
    /// absent or an empty list (box-only data sets write []).
    /// </summary>
    public static CocoSegmentation? Segmentation(JsonElement e, string where)
    {
        if (!Has(e, "segmentation")) return null;
        var v = e.GetProperty("segmentation");
        if (v.ValueKind == JsonValueKind.Array && v.GetArrayLength() == 0) return null;
        if (v.ValueKind == JsonValueKind.Array)
        {
            var polygons = new List<double[]>(v.GetArrayLength());
            int i = 0;
            foreach (var p in v.EnumerateArray())
            {
                if (p.ValueKind != JsonValueKind.Array)
                    throw Error(where, $"segmentation[{i}] must be a polygon [x0, y0, x1, y1, ...], not {Kind(p)}");
                var xy = new double[p.GetArrayLength()];
                int j = 0;
                foreach (var c in p.EnumerateArray()) { xy[j] = Finite(c, $"segmentation[{i}][{j}]", where); j++; }
                polygons.Add(xy);
                i++;
            }
            try { return CocoSegmentation.FromPolygons(polygons); }
            catch (ArgumentException ex) { throw Error(where, $"bad polygon segmentation: {ex.Message}"); }
        }
        if (v.ValueKind != JsonValueKind.Object)
            throw Error(where, $"'segmentation' must be polygons or an RLE object, not {Kind(v)}");
        var size = Get(v, "size", where + ": segmentation");
        if (size.ValueKind != JsonValueKind.Array || size.GetArrayLength() != 2
            || !size[0].TryGetInt32(out int h) || !size[1].TryGetInt32(out int w) || h < 0 || w < 0)
            throw Error(where, "bad RLE: 'size' must be [height, width]");
        if ((long)h * w > int.MaxValue) throw Error(where, $"bad RLE: size [{h}, {w}] is too large");
        var counts = Get(v, "counts", where + ": segmentation");
        try
        {
            if (counts.ValueKind == JsonValueKind.String)
                return CocoSegmentation.FromRle(Rle.FromCompressedString(counts.GetString()!, h, w));
            if (counts.ValueKind != JsonValueKind.Array)
                throw Error(where, $"bad RLE: 'counts' must be a string or a list of run lengths, not {Kind(counts)}");
            var runs = new uint[counts.GetArrayLength()];
            int k = 0;
            foreach (var c in counts.EnumerateArray())
            {
                if (!c.TryGetUInt32(out runs[k]))
                    throw Error(where, $"bad RLE: counts[{k}] must be a non-negative integer, not {Text(c)}");
                k++;
            }
            return CocoSegmentation.FromRle(new Rle(h, w, runs));
        }
        catch (ArgumentException ex) { throw Error(where, $"bad RLE: {ex.Message}"); }
    }

    /// <summary>Short description of a value for messages (its kind, or the number itself).</summary>
    public static string Text(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.Number => v.GetRawText(),
        JsonValueKind.String => $"\"{Truncate(v.GetString()!)}\"",
        _ => Kind(v),
    };

    public static string Kind(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    public static string Entry(string source, string list, int index, long? id = null) =>
        id is long i ? string.Create(CultureInfo.InvariantCulture, $"{source}: {list}[{index}] (id {i})")
                     : string.Create(CultureInfo.InvariantCulture, $"{source}: {list}[{index}]");

    private static string Truncate(string s) => s.Length <= 24 ? s : s[..24] + "...";
}
