using System.Text.Json;

namespace MimScale.Dense.Coco;

/// <summary>
/// Writes COCO instances and results JSON in the layout pycocotools reads: masks as compressed RLE
/// (<c>{"size": [h, w], "counts": "..."}</c>), polygons as lists of coordinate lists, boxes as [x, y, w, h].
/// </summary>
internal static class CocoJsonWriter
{
    public static void WriteDataset(CocoDataset d, string path) => Write(path, w =>
    {
        w.WriteStartObject();
        w.WriteStartArray("images");
        foreach (var i in d.Images)
        {
            w.WriteStartObject();
            w.WriteNumber("id", i.Id);
            w.WriteNumber("width", i.Width);
            w.WriteNumber("height", i.Height);
            if (i.FileName is not null) w.WriteString("file_name", i.FileName);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("categories");
        foreach (var c in d.Categories)
        {
            w.WriteStartObject();
            w.WriteNumber("id", c.Id);
            w.WriteString("name", c.Name);
            if (c.Supercategory is not null) w.WriteString("supercategory", c.Supercategory);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("annotations");
        foreach (var a in d.Annotations)
        {
            w.WriteStartObject();
            w.WriteNumber("id", a.Id);
            w.WriteNumber("image_id", a.ImageId);
            w.WriteNumber("category_id", a.CategoryId);
            if (a.Segmentation is not null) Segmentation(w, a.Segmentation);
            w.WriteNumber("area", a.Area);
            Box(w, a.Box);
            w.WriteNumber("iscrowd", a.IsCrowd ? 1 : 0);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    });

    public static void WriteResults(IEnumerable<CocoDetection> detections, string path) => Write(path, w =>
    {
        w.WriteStartArray();
        foreach (var d in detections)
        {
            w.WriteStartObject();
            w.WriteNumber("image_id", d.ImageId);
            w.WriteNumber("category_id", d.CategoryId);
            if (d.Box is CocoBox b) Box(w, b);
            if (d.Segmentation is not null) Segmentation(w, d.Segmentation);
            w.WriteNumber("score", d.Score);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    });

    private static void Write(string path, Action<Utf8JsonWriter> body)
    {
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        using var stream = File.Create(path);
        using var w = new Utf8JsonWriter(stream);
        body(w);
    }

    private static void Box(Utf8JsonWriter w, CocoBox b)
    {
        w.WriteStartArray("bbox");
        w.WriteNumberValue(b.X); w.WriteNumberValue(b.Y); w.WriteNumberValue(b.Width); w.WriteNumberValue(b.Height);
        w.WriteEndArray();
    }

    private static void Segmentation(Utf8JsonWriter w, CocoSegmentation s)
    {
        if (s.Mask is Rle m)
        {
            w.WriteStartObject("segmentation");
            w.WriteStartArray("size");
            w.WriteNumberValue(m.Height); w.WriteNumberValue(m.Width);
            w.WriteEndArray();
            w.WriteString("counts", m.ToCompressedString());
            w.WriteEndObject();
            return;
        }
        w.WriteStartArray("segmentation");
        foreach (var p in s.Polygons!)
        {
            w.WriteStartArray();
            foreach (double v in p) w.WriteNumberValue(v);
            w.WriteEndArray();
        }
        w.WriteEndArray();
    }
}
