using System.Text.Json;
using MimScale.Files;

namespace MimScale.Dense.Segmentation;

/// <summary>
/// mIoU, aAcc and mAcc as mmseg's IoUMetric reports them, in percent, with the per-class IoU and Acc (null for a
/// class whose denominator is zero: NaN in mmseg, skipped by the nan-mean) and the four summed histograms behind them.
/// </summary>
public sealed record SegmentationMetrics(
    double? AAcc,
    double? MIoU,
    double? MAcc,
    IReadOnlyList<double?> IoU,
    IReadOnlyList<double?> Acc,
    int Images,
    IReadOnlyList<long> AreaIntersect,
    IReadOnlyList<long> AreaUnion,
    IReadOnlyList<long> AreaPredLabel,
    IReadOnlyList<long> AreaLabel)
{
    /// <summary>
    /// metrics.json: <c>mIoU</c>, <c>aAcc</c>, <c>mAcc</c> (percent), <c>IoU</c> and <c>Acc</c> (N entries, null
    /// where the class is absent), then <c>num_classes</c>, <c>images</c>, <c>reduce_zero_label</c> and the summed
    /// histograms <c>area_intersect</c>, <c>area_union</c>, <c>area_pred_label</c>, <c>area_label</c> (pixels).
    /// </summary>
    public void WriteJson(string path, bool reduceZeroLabel) => AtomicFile.Write(path, stream => WriteJson(stream, reduceZeroLabel));

    private void WriteJson(Stream stream, bool reduceZeroLabel)
    {
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        Number(w, "mIoU", MIoU);
        Number(w, "aAcc", AAcc);
        Number(w, "mAcc", MAcc);
        Array(w, "IoU", IoU);
        Array(w, "Acc", Acc);
        w.WriteNumber("num_classes", IoU.Count);
        w.WriteNumber("images", Images);
        w.WriteBoolean("reduce_zero_label", reduceZeroLabel);
        Counts(w, "area_intersect", AreaIntersect);
        Counts(w, "area_union", AreaUnion);
        Counts(w, "area_pred_label", AreaPredLabel);
        Counts(w, "area_label", AreaLabel);
        w.WriteEndObject();
    }

    /// <summary>One line for the console: <c>mIoU 41.25  aAcc 80.00  mAcc 50.00  (3 images, 2/3 classes present)</c>.</summary>
    public string Summary() => System.FormattableString.Invariant(
        $"mIoU {Fmt(MIoU)}  aAcc {Fmt(AAcc)}  mAcc {Fmt(MAcc)}  ({Images} images, {IoU.Count(v => v is not null)}/{IoU.Count} classes with IoU)");

    private static string Fmt(double? v) => v is double d ? d.ToString("F2", System.Globalization.CultureInfo.InvariantCulture) : "n/a";

    private static void Number(Utf8JsonWriter w, string name, double? v)
    {
        if (v is double d) w.WriteNumber(name, d);
        else w.WriteNull(name);
    }

    private static void Array(Utf8JsonWriter w, string name, IReadOnlyList<double?> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
            if (v is double d) w.WriteNumberValue(d);
            else w.WriteNullValue();
        w.WriteEndArray();
    }

    private static void Counts(Utf8JsonWriter w, string name, IReadOnlyList<long> values)
    {
        w.WriteStartArray(name);
        foreach (long v in values) w.WriteNumberValue(v);
        w.WriteEndArray();
    }
}
