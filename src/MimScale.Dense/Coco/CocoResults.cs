using System.Text.Json;
using static MimScale.Dense.Coco.CocoJsonFields;

namespace MimScale.Dense.Coco;

/// <summary>
/// One detection of a COCO results file: <c>{"image_id", "category_id", "score", "bbox": [x, y, w, h]}</c> and/or
/// <c>"segmentation": {"size": [h, w], "counts": "..."}</c>. A box result needs <see cref="Box"/>, a mask result
/// <see cref="Segmentation"/>; a mask result without a box gets the mask's box.
/// </summary>
public sealed record CocoDetection(long ImageId, long CategoryId, double Score, CocoBox? Box = null,
                                   CocoSegmentation? Segmentation = null);

/// <summary>Reads COCO results files (the list that detectors write for COCOeval).</summary>
public static class CocoResults
{
    /// <summary>Reads a results file against its ground truth (image and category ids must exist there).</summary>
    /// <exception cref="InvalidDataException">malformed JSON or a bad entry (the message names the file and entry).</exception>
    public static IReadOnlyList<CocoDetection> Read(string path, CocoDataset truth)
    {
        using var doc = CocoJsonFields.ParseFile(path);
        return FromJson(doc.RootElement, path, truth);
    }

    /// <summary>Writes detections as a COCO results file (masks as compressed RLE strings).</summary>
    public static void Write(IEnumerable<CocoDetection> detections, string path) => CocoJsonWriter.WriteResults(detections, path);

    /// <summary>Parses results JSON text; <paramref name="source"/> names it in error messages.</summary>
    public static IReadOnlyList<CocoDetection> Parse(string json, string source, CocoDataset truth)
    {
        using var doc = CocoJsonFields.Parse(json, source);
        return FromJson(doc.RootElement, source, truth);
    }

    private static IReadOnlyList<CocoDetection> FromJson(JsonElement root, string source, CocoDataset truth)
    {
        if (root.ValueKind != JsonValueKind.Array)
            throw Error(source, $"a COCO results file is a list of detections, not {Kind(root)}");
        var list = new List<CocoDetection>(root.GetArrayLength());
        int i = 0;
        foreach (var e in root.EnumerateArray())
        {
            string where = Entry(source, "results", i++);
            var box = CocoJsonFields.Box(e, where);
            var segmentation = CocoJsonFields.Segmentation(e, where);
            if (box is null && segmentation is null) throw Error(where, "has neither 'bbox' nor 'segmentation'");
            list.Add(new CocoDetection(Id(e, "image_id", where), Id(e, "category_id", where), Number(e, "score", where), box, segmentation));
        }
        Check(list, truth, source);
        return list;
    }

    /// <summary>
    /// Checks detections made in code or read from a file against the ground truth: known image and category
    /// ids (pycocotools' loadRes asserts the images; a category the ground truth lacks is a label-mapping bug)
    /// and mask sizes equal to their image's.
    /// </summary>
    public static void Check(IReadOnlyList<CocoDetection> detections, CocoDataset truth, string source = "results")
    {
        for (int i = 0; i < detections.Count; i++)
        {
            var d = detections[i];
            string where = Entry(source, "results", i);
            var img = truth.FindImage(d.ImageId) ?? throw Error(where, $"image_id {d.ImageId} is not in the ground truth's images");
            if (!truth.HasCategory(d.CategoryId)) throw Error(where, $"category_id {d.CategoryId} is not in the ground truth's categories");
            if (!double.IsFinite(d.Score)) throw Error(where, "score is not finite");
            if (d.Segmentation?.Mask is Rle m && (m.Height != img.Height || m.Width != img.Width))
                throw Error(where, $"bad RLE: size [{m.Height}, {m.Width}] differs from image {img.Id}'s [{img.Height}, {img.Width}]");
        }
    }
}
