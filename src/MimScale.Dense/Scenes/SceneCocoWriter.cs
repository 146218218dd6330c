using System.Text.Json;
using MimScale.Dense.Coco;

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
                var mask = VisibleMask(scene, (ushort)(k + 1));
                if (mask.Area == 0) continue;
                var box = mask.ToBox();
                w.WriteStartObject();
                w.WriteNumber("id", ++annId);
                w.WriteNumber("image_id", i + 1);
                w.WriteNumber("category_id", scene.Placements[k].Class + 1);
                w.WriteStartObject("segmentation");
                w.WriteString("counts", mask.ToCompressedString());   // compressed RLE, as COCO's own files and pycocotools write it
                w.WriteStartArray("size");
                w.WriteNumberValue(scene.Size); // [h, w]
                w.WriteNumberValue(scene.Size);
                w.WriteEndArray();
                w.WriteEndObject();
                w.WriteNumber("area", mask.Area);
                w.WriteStartArray("bbox");
                foreach (double v in box.ToArray()) w.WriteNumberValue((int)v);   // the tight box of a pixel mask is integral
                w.WriteEndArray();
                w.WriteNumber("iscrowd", 0);
                w.WriteEndObject();
            }
        }
        w.WriteEndArray();
        w.WriteEndObject();
        return annId;
    }

    /// <summary>The visible pixels of instance <paramref name="id"/> (the instance map equals it) as a COCO RLE.</summary>
    private static Rle VisibleMask(Scene scene, ushort id)
    {
        int n = scene.Size * scene.Size;
        var mask = new byte[n];
        for (int i = 0; i < n; i++) mask[i] = scene.InstanceMap[i] == id ? (byte)1 : (byte)0;
        return Rle.Encode(mask, scene.Size, scene.Size);
    }
}
