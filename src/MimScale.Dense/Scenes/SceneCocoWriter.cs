using System.Text.Json;

namespace MimScale.Dense.Scenes;

/// <summary>
/// Writes the COCO instances file of one split of scenes (<c>annotations/instances_{split}.json</c>): images
/// (ids 1.. in file order, <c>file_name</c> relative to <c>images/{split}/</c>), categories (ids 1..K = item class + 1,
/// the item source's names) and one annotation per visible item: its visible mask (occluded pixels removed) as
/// uncompressed RLE, <c>area</c> = mask pixel count, <c>bbox</c> = the mask's tight [x, y, w, h], <c>iscrowd</c> 0.
/// Fully occluded items have no annotation (COCO has no empty masks). Keys in fixed order, no timestamps.
/// </summary>
public static class SceneCocoWriter
{
    /// <summary>One image of the split: its file name and scene.</summary>
    public readonly record struct Entry(string FileName, Scene Scene);

    /// <summary>Writes the file; returns the number of annotations.</summary>
    public static int Write(string path, IReadOnlyList<Entry> entries, IReadOnlyList<string> classNames, string description)
    {
        using var stream = File.Create(path);
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        w.WriteStartObject();
        w.WriteStartObject("info");
        w.WriteString("description", description);
        w.WriteString("version", "1.0");
        w.WriteEndObject();

        w.WriteStartArray("images");
        for (int i = 0; i < entries.Count; i++)
        {
            w.WriteStartObject();
            w.WriteNumber("id", i + 1);
            w.WriteString("file_name", entries[i].FileName);
            w.WriteNumber("width", entries[i].Scene.Size);
            w.WriteNumber("height", entries[i].Scene.Size);
            w.WriteEndObject();
        }
        w.WriteEndArray();

        w.WriteStartArray("categories");
        for (int c = 0; c < classNames.Count; c++)
        {
            w.WriteStartObject();
            w.WriteNumber("id", c + 1);
            w.WriteString("name", classNames[c]);
            w.WriteString("supercategory", "item");
            w.WriteEndObject();
        }
        w.WriteEndArray();

        w.WriteStartArray("annotations");
        int annId = 0;
        for (int i = 0; i < entries.Count; i++)
        {
            var scene = entries[i].Scene;
            for (int k = 0; k < scene.Placements.Count; k++)
            {
                var (counts, area, bbox) = VisibleMaskRle(scene, (ushort)(k + 1));
                if (area == 0) continue;
                w.WriteStartObject();
                w.WriteNumber("id", ++annId);
                w.WriteNumber("image_id", i + 1);
                w.WriteNumber("category_id", scene.Placements[k].Class + 1);
                w.WriteStartObject("segmentation");
                w.WriteStartArray("counts");
                foreach (int c in counts) w.WriteNumberValue(c);
                w.WriteEndArray();
                w.WriteStartArray("size");
                w.WriteNumberValue(scene.Size); // [h, w]
                w.WriteNumberValue(scene.Size);
                w.WriteEndArray();
                w.WriteEndObject();
                w.WriteNumber("area", area);
                w.WriteStartArray("bbox");
                foreach (int b in bbox) w.WriteNumberValue(b);
                w.WriteEndArray();
                w.WriteNumber("iscrowd", 0);
                w.WriteEndObject();
            }
        }
        w.WriteEndArray();
        w.WriteEndObject();
        return annId;
    }

    /// <summary>
    /// pycocotools' uncompressed RLE of the pixels where the instance map equals <paramref name="id"/>: the mask read
    /// column by column (Fortran order, as maskApi.c rleEncode), run lengths alternating starting with a run of
    /// zeros (0 when the first pixel is set). Also the area and the tight box [x, y, w, h] (rleToBbox's values).
    /// The shared codec in MimScale.Dense.Coco replaces this at merge.
    /// </summary>
    private static (List<int> Counts, int Area, int[] Bbox) VisibleMaskRle(Scene scene, ushort id)
    {
        int s = scene.Size, area = 0, x0 = int.MaxValue, y0 = int.MaxValue, x1 = -1, y1 = -1;
        var counts = new List<int>();
        bool current = false;
        int run = 0;
        for (int x = 0; x < s; x++)
            for (int y = 0; y < s; y++)
            {
                bool on = scene.InstanceMap[y * s + x] == id;
                if (on != current)
                {
                    counts.Add(run);
                    run = 0;
                    current = on;
                }
                run++;
                if (!on) continue;
                area++;
                x0 = Math.Min(x0, x); x1 = Math.Max(x1, x);
                y0 = Math.Min(y0, y); y1 = Math.Max(y1, y);
            }
        counts.Add(run);
        return area == 0 ? (counts, 0, [0, 0, 0, 0]) : (counts, area, [x0, y0, x1 - x0 + 1, y1 - y0 + 1]);
    }
}
