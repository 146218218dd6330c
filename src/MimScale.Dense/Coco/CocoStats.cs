using System.Globalization;
using System.Text.Json;

namespace MimScale.Dense.Coco;

/// <summary>
/// The 12 numbers of COCOeval.summarize() for boxes and masks, in pycocotools' order, as fractions (0-1);
/// -1 where nothing defines them (e.g. APs with no small ground truth).
/// </summary>
public sealed record CocoStats(double AP, double AP50, double AP75, double APs, double APm, double APl,
                               double AR1, double AR10, double AR100, double ARs, double ARm, double ARl)
{
    /// <summary>The JSON keys, in pycocotools' stats order.</summary>
    public static IReadOnlyList<string> Keys { get; } = ["AP", "AP50", "AP75", "APs", "APm", "APl", "AR1", "AR10", "AR100", "ARs", "ARm", "ARl"];

    /// <summary>The 12 values in pycocotools' <c>stats</c> order.</summary>
    public double[] ToArray() => [AP, AP50, AP75, APs, APm, APl, AR1, AR10, AR100, ARs, ARm, ARl];

    /// <summary>Builds the record from pycocotools' <c>stats</c> array order.</summary>
    public static CocoStats FromArray(IReadOnlyList<double> s) =>
        s.Count == 12 ? new(s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8], s[9], s[10], s[11])
                      : throw new ArgumentException($"COCO stats have 12 values, got {s.Count}");

    /// <summary>The summary as pycocotools prints it, one line per number.</summary>
    public IReadOnlyList<string> SummaryLines(CocoEvalParams? p = null)
    {
        p ??= CocoEvalParams.Default;
        string range = string.Create(CultureInfo.InvariantCulture, $"{p.IouThresholds[0]:0.00}:{p.IouThresholds[^1]:0.00}");
        int[] md = [p.MaxDetections[0], p.MaxDetections[Math.Min(1, p.MaxDetections.Count - 1)], p.MaxDetections[^1]];
        var rows = new (bool Ap, string Iou, string Area, int MaxDets, double Value)[]
        {
            (true, range, "all", md[2], AP), (true, "0.50", "all", md[2], AP50), (true, "0.75", "all", md[2], AP75),
            (true, range, "small", md[2], APs), (true, range, "medium", md[2], APm), (true, range, "large", md[2], APl),
            (false, range, "all", md[0], AR1), (false, range, "all", md[1], AR10), (false, range, "all", md[2], AR100),
            (false, range, "small", md[2], ARs), (false, range, "medium", md[2], ARm), (false, range, "large", md[2], ARl),
        };
        // cocoeval.py: ' {:<18} {} @[ IoU={:<9} | area={:>6s} | maxDets={:>3d} ] = {:0.3f}'. "F3" rounds the exact
        // binary value half to even as Python does (0.0625 -> 0.062); the custom format "0.000" would give 0.063.
        return rows.Select(r => string.Create(CultureInfo.InvariantCulture,
            $" {(r.Ap ? "Average Precision" : "Average Recall"),-18} {(r.Ap ? "(AP)" : "(AR)")} @[ IoU={r.Iou,-9} | area={r.Area,6} | maxDets={r.MaxDets,3} ] = {r.Value:F3}"))
            .ToList();
    }

    /// <summary>Writes <c>{"AP": ..., ..., "ARl": ...}</c> (round-trip doubles) to a file.</summary>
    public void WriteJson(string path)
    {
        using var stream = File.Create(path);
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        var values = ToArray();
        for (int i = 0; i < 12; i++) w.WriteNumber(Keys[i], values[i]);
        w.WriteEndObject();
    }

    /// <summary>Reads a file written by <see cref="WriteJson"/> (all 12 keys required).</summary>
    public static CocoStats ReadJson(string path)
    {
        using var doc = CocoJsonFields.Parse(File.ReadAllText(path), path);
        return FromArray(Keys.Select(k => CocoJsonFields.Number(doc.RootElement, k, path)).ToArray());
    }
}
