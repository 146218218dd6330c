using System.Globalization;
using MimScale.Analysis.Overfitting;
using MimScale.Analysis.Report;
using MimScale.Analysis.Results;
using SkiaSharp;

namespace MimScale.Analysis.Plots;

/// <summary>
/// The paper's Figure 5: reconstructions (original | masked | reconstruction) of a training and a validation image by
/// an overfitting model next to a model that does not overfit. The pair: the overfitting run with the largest relative
/// rise of validation loss; if no run overfits, the paper's candidate (the largest model on the smallest data at its
/// longest length), said so in the row label. The contrast: the same model on the largest data at its longest length,
/// else the smallest model on the first run's data. Rows are labelled with model, data, length, verdict and val loss.
/// Needs runs that list reconstruction images (a study's own runs); returns null otherwise.
/// </summary>
public static class ReconstructionFigure
{
    const int Scale = 4, Pad = 12, LabelHeight = 22, HeaderHeight = 26;

    public static PlotImage? Render(StudyAnalysis a)
    {
        var status = new Dictionary<RunResult, OverfitAssessment>(ReferenceEqualityComparer.Instance);
        foreach (var o in a.Overfitting) status[o.Run] = o;
        var usable = a.Results.Runs.Where(r => Panel(r, "train_") is not null && Panel(r, "val_") is not null).ToList();
        if (usable.Count == 0) return null;
        var grid = a.Grid;
        int ModelRank(RunResult r) => IndexOf(grid.Models, r.Model);
        int DataRank(RunResult r) => IndexOf(grid.DataLabels, r.DataLabel);

        var overfit = usable.Where(r => status.TryGetValue(r, out var s) && s.Status == OverfitStatus.Overfitting)
            .OrderByDescending(r => status[r].RelativeRise ?? 0).FirstOrDefault();
        bool candidateOnly = overfit is null;
        overfit ??= usable.OrderByDescending(ModelRank).ThenBy(DataRank).ThenByDescending(r => r.Iterations).ThenBy(r => r.Seed).First();
        var contrast = usable.Where(r => r.Model == overfit.Model && DataRank(r) > DataRank(overfit))
                           .OrderByDescending(DataRank).ThenByDescending(r => r.Iterations).ThenBy(r => r.Seed).FirstOrDefault()
                       ?? usable.Where(r => r.DataLabel == overfit.DataLabel && ModelRank(r) < ModelRank(overfit))
                           .OrderBy(ModelRank).ThenByDescending(r => r.Iterations).ThenBy(r => r.Seed).FirstOrDefault();
        var rows = contrast is null ? new[] { overfit } : new[] { overfit, contrast };

        string Label(RunResult r)
        {
            var verdict = status.TryGetValue(r, out var s) ? s.Status.ToString() : "Unknown";
            if (r == overfit && candidateOnly) verdict += " (no run overfits: largest model, smallest data, longest run)";
            var val = r.FinalValLoss is { } v ? v.ToString("F4", CultureInfo.InvariantCulture) : "n/a";
            return $"{r.Model} / {r.DataLabel} / {r.Iterations} it: {verdict}, val loss {val}";
        }

        var images = rows.Select(r => (Label(r), Load(Panel(r, "train_")!), Load(Panel(r, "val_")!))).ToList();
        try
        {
            if (images.Any(i => i.Item2 is null || i.Item3 is null)) return null;
            int cellW = images.Max(i => Math.Max(i.Item2!.Width, i.Item3!.Width)) * Scale;
            int cellH = images.Max(i => Math.Max(i.Item2!.Height, i.Item3!.Height)) * Scale;
            using var typeface = PlotFonts.FontFile is { } f ? SKTypeface.FromFile(f) : null;
            using var font = new SKFont(typeface ?? SKTypeface.Default, 14);
            int textW = (int)Math.Ceiling(images.Max(i => font.MeasureText(i.Item1))) + 2 * Pad;
            int width = Math.Max(Math.Max(2 * cellW + 3 * Pad, 760), textW);
            int height = HeaderHeight + images.Count * (LabelHeight + cellH + Pad) + Pad;
            using var surface = SKSurface.Create(new SKImageInfo(width, height));
            var canvas = surface.Canvas;
            canvas.Clear(SKColors.White);
            using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
            canvas.DrawText("training image: original | masked | reconstruction", Pad, HeaderHeight - 8, font, ink);
            canvas.DrawText("validation image: original | masked | reconstruction", 2 * Pad + cellW, HeaderHeight - 8, font, ink);
            int y = HeaderHeight;
            var sampling = new SKSamplingOptions(SKFilterMode.Nearest, SKMipmapMode.None);
            foreach (var (label, train, val) in images)
            {
                canvas.DrawText(label, Pad, y + LabelHeight - 6, font, ink);
                y += LabelHeight;
                canvas.DrawImage(train, SKRect.Create(Pad, y, train!.Width * Scale, train.Height * Scale), sampling);
                canvas.DrawImage(val, SKRect.Create(2 * Pad + cellW, y, val!.Width * Scale, val.Height * Scale), sampling);
                y += cellH + Pad;
            }
            using var snapshot = surface.Snapshot();
            using var png = snapshot.Encode(SKEncodedImageFormat.Png, 100);
            return new PlotImage("reconstructions.png", "Reconstructions of a training and a validation image: overfitting candidate vs contrast",
                "Figure 5", png.ToArray());
        }
        finally
        {
            foreach (var (_, t, v) in images) { t?.Dispose(); v?.Dispose(); }
        }
    }

    /// <summary>The first reconstruction panel of a run whose file name starts with <paramref name="prefix"/> and exists.</summary>
    static string? Panel(RunResult r, string prefix) =>
        r.ReconstructionImages.Where(p => Path.GetFileName(p).StartsWith(prefix, StringComparison.Ordinal) && File.Exists(p))
            .Order(StringComparer.Ordinal).FirstOrDefault();

    static SKImage? Load(string path)
    {
        try { return SKImage.FromEncodedData(path); }
        catch (Exception) { return null; }   // a damaged panel leaves the figure out, not the report
    }

    static int IndexOf(IReadOnlyList<string> list, string value)
    {
        for (int i = 0; i < list.Count; i++) if (list[i] == value) return i;
        return -1;
    }
}
