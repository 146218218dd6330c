using System.Globalization;
using System.Text;

namespace MimScale.Study.Planning;

/// <summary>The printout of <c>mimscale study plan</c>: grid, data, trunks with branch points, cells, compute.</summary>
public static class PlanText
{
    /// <summary>Plain-text description of <paramref name="plan"/> with hours at <paramref name="rate"/>.</summary>
    public static string Format(StudyPlan plan, ComputeRate rate)
    {
        var s = plan.Spec;
        var sb = new StringBuilder();
        void L(FormattableString line) => sb.AppendLine(line.ToString(CultureInfo.InvariantCulture));
        int armCells = plan.Cells.Count(c => c.Decoder is not null);
        string arm = armCells == 0 ? "" : $" + {armCells} decoder-arm cells ({string.Join(", ", s.DecoderArm!.Decoders.Select(d => d.Label))})";
        var trunks = plan.Trunks.Where(t => !t.Scratch).ToList();
        var references = plan.Trunks.Where(t => t.Scratch).SelectMany(t => t.Cells).ToList();
        string scratch = references.Count == 0 ? "" : $" + {references.Count} scratch references";
        L($"study {s.Name}: {s.Models.Count} models x {s.Data.Variants.Count} data x {s.Lengths.Count} lengths x {s.Seeds.Count} seeds{arm} = {trunks.Sum(t => t.Cells.Count)} cells in {trunks.Count} trunks{scratch} ({(s.ShareTrunks ? "lengths share a trunk up to their branch points" : "no sharing")})");
        if (s.Description.Length > 0) L($"  {s.Description}");
        L($"models: {string.Join(", ", plan.Trunks.Select(t => t.Model).Distinct())}; batch {Batch(plan.Trunks[0].Config)}; lengths {string.Join(", ", s.Lengths)}; seeds {string.Join(", ", s.Seeds)}");
        L($"evaluations per cell: val_loss{string.Concat(s.Evaluations.Select(e => ", " + e))}; report metric {s.ReportMetric}");
        L($"pre-training source {s.Data.Source}; validation {s.Data.ValSource}; evaluation training set {s.Data.EvalSource}");
        foreach (var other in s.Data.OtherSources)
            L($"  other data set on the data axis: {other.Name} from {other.Source} (validation and evaluations as above)");
        foreach (var d in trunks.Select(t => t.Data).DistinctBy(d => d.Label))
            L($"  {d.Label,-28} {(d.ImageCount is int n ? n.ToString("N0", CultureInfo.InvariantCulture) + " images" : "images unknown"),-16} manifest {d.ManifestHash?[..12] ?? "unknown (source not read)"}");
        sb.AppendLine();
        var rows = new List<string[]> { new[] { "trunk", "model", "data", "seed", "trunk iters", "branches T: start + decay", "total iters", "GFLOP/iter", "est. hours" } };
        for (int i = 0; i < trunks.Count; i++)
        {
            var t = trunks[i];
            rows.Add([
                (i + 1).ToString(CultureInfo.InvariantCulture), t.Model, t.Data.Label + (t.Decoder is { } d ? $" / decoder {d.Label}" : ""), t.Seed.ToString(CultureInfo.InvariantCulture),
                t.TrunkIterations.ToString("N0", CultureInfo.InvariantCulture),
                string.Join(", ", t.Cells.Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Iterations}: {c.DecayStart}+{c.DecayIterations}"))),
                t.TotalIterations.ToString("N0", CultureInfo.InvariantCulture),
                (t.Cells[0].FlopsPerIteration / 1e9).ToString("0.###", CultureInfo.InvariantCulture),
                rate.Hours(t).ToString("0.###", CultureInfo.InvariantCulture),
            ]);
        }
        sb.Append(Table(rows));
        sb.AppendLine();
        var cells = new List<string[]> { new[] { "cell key", "model", "data", "iters", "seed", "decay at", "attributed iters", "FLOPs (attributed)" } };
        foreach (var c in trunks.SelectMany(t => t.Cells))
            cells.Add([c.Key, c.Model, c.Data.Label + (c.Decoder is { } d ? $" / decoder {d.Label}" : ""), c.Iterations.ToString(CultureInfo.InvariantCulture), c.Seed.ToString(CultureInfo.InvariantCulture),
                c.DecayStart.ToString(CultureInfo.InvariantCulture), c.AttributedIterations.ToString("0.#", CultureInfo.InvariantCulture),
                c.AttributedFlops.ToString("0.000e+00", CultureInfo.InvariantCulture)]);
        sb.Append(Table(cells));
        sb.AppendLine();
        if (references.Count > 0)
        {
            L($"scratch references (no pre-training: every evaluation but val_loss from a random initialisation seeded with the seed; kept out of the grid and findings):");
            var rows2 = new List<string[]> { new[] { "reference key", "model", "seed", "evaluations", "pre-training", "cost" } };
            foreach (var c in references)
                rows2.Add([c.Key, c.Model, c.Seed.ToString(CultureInfo.InvariantCulture), string.Join(", ", c.Evaluations), "0 iterations, 0 FLOPs",
                    "the evaluations of one cell"]);
            sb.Append(Table(rows2));
            sb.AppendLine();
        }
        double hours = plan.Trunks.Sum(t => rate.Hours(t));
        L($"total: {plan.TotalIterations:N0} iterations instead of {plan.UnsharedIterations:N0} without sharing ({100.0 * plan.TotalIterations / plan.UnsharedIterations:0.#}%), {plan.TotalFlops:0.000e+00} pre-training FLOPs, about {hours:0.##} h");
        L($"  {rate.Describe()}; validation-loss passes and evaluations come on top");
        if (!plan.DataResolved) L($"  note: the data source was not read, so manifest hashes (and cell keys) are provisional");
        return sb.ToString();
    }

    static string Batch(MimScale.Training.Pretraining.PretrainConfig c) =>
        c.Accumulation == 1 ? c.BatchSize.ToString(CultureInfo.InvariantCulture) : string.Create(CultureInfo.InvariantCulture, $"{c.TotalBatch} ({c.BatchSize} x {c.Accumulation} accumulated)");

    /// <summary>Left-aligned columns separated by two spaces.</summary>
    public static string Table(IReadOnlyList<string[]> rows)
    {
        int cols = rows.Max(r => r.Length);
        var widths = Enumerable.Range(0, cols).Select(c => rows.Max(r => c < r.Length ? r[c].Length : 0)).ToArray();
        var sb = new StringBuilder();
        foreach (var r in rows)
            sb.AppendLine(string.Join("  ", r.Select((v, c) => c == r.Length - 1 ? v : v.PadRight(widths[c]))).TrimEnd());
        return sb.ToString();
    }
}
