using MimScale.Analysis.Report;
using MimScale.Analysis.Results;
using ScottPlot;

namespace MimScale.Analysis.Plots;

/// <summary>
/// Curves of the side-study arms: the class subset against its class-balanced counterpart per model (paper Figure 6)
/// and the decoders of one (model, data) (Table 8's runs). Each entry draws the curve of its longest run: validation
/// solid, training dashed, one colour per entry.
/// </summary>
internal static class ArmPlots
{
    public static void Render(List<PlotImage> images, StudyAnalysis a, int width, int height)
    {
        foreach (var group in a.ClassSubsetArm.Pairs.GroupBy(p => (p.Model, p.Subset.DataLabel)))
        {
            var longest = group.MaxBy(p => p.Iterations)!;
            var entries = new List<(string, IReadOnlyList<RunResult>)> { (longest.Subset.DataLabel + " (class subset)", longest.Subset.Runs) };
            if (longest.Matched is { } m) entries.Add((m.DataLabel + " (class-balanced)", m.Runs));
            StudyPlots.Add(images, $"class-subset-{StudyPlots.Slug(group.Key.Model)}-{StudyPlots.Slug(group.Key.DataLabel)}.png",
                $"{group.Key.Model}, {longest.Iterations} iterations: class subset vs class-balanced subset of the same size",
                "Figure 6 (class subset)", width, height, plot => Curves(plot, entries));
        }
        var decoders = a.Results.Runs.Where(r => r.Arm is null || r.Arm == RunArms.Decoder).ToList();
        foreach (var combo in a.DecoderArm.Rows.GroupBy(r => (r.Model, r.DataLabel)))
        {
            long longest = combo.Max(r => r.Iterations);
            var entries = combo.Where(r => r.Iterations == longest)
                .Select(r => ($"decoder {r.Decoder}", (IReadOnlyList<RunResult>)decoders.Where(x => x.Model == r.Model && x.DataLabel == r.DataLabel
                    && x.Iterations == longest && RunArms.DecoderOf(x) == r.Decoder).ToList())).ToList();
            StudyPlots.Add(images, $"decoder-{StudyPlots.Slug(combo.Key.Model)}-{StudyPlots.Slug(combo.Key.DataLabel)}.png",
                $"{combo.Key.Model} / {combo.Key.DataLabel}, {longest} iterations: loss per decoder", "Table 8 (decoder size)",
                width, height, plot => Curves(plot, entries));
        }
    }

    private static int Curves(Plot plot, List<(string Label, IReadOnlyList<RunResult> Runs)> entries)
    {
        int points = 0;
        for (int i = 0; i < entries.Count; i++)
        {
            var run = entries[i].Runs.Where(r => r.Curve.Count > 0).OrderBy(r => r.Seed).FirstOrDefault();
            if (run is null) continue;
            var color = Colors.Category10[i % Colors.Category10.Length];
            var val = run.Curve.Where(p => p.ValLoss.HasValue).ToList();
            var train = run.Curve.Where(p => p.TrainLoss.HasValue).ToList();
            points += StudyPlots.Line(plot, val.Select(p => (double)p.Iteration), val.Select(p => p.ValLoss!.Value), color, $"{entries[i].Label} val", LinePattern.Solid, 0);
            points += StudyPlots.Line(plot, train.Select(p => (double)p.Iteration), train.Select(p => p.TrainLoss!.Value), color, $"{entries[i].Label} train", LinePattern.Dashed, 0);
        }
        plot.XLabel("iterations");
        plot.YLabel("loss");
        return points;
    }
}
