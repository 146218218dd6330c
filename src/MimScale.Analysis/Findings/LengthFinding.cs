using static MimScale.Analysis.FindingsEvaluator;

namespace MimScale.Analysis;

/// <summary>Finding 2: training length decides whether more data helps.</summary>
internal static class LengthFinding
{
    public static Finding Evaluate(ResultGrid grid, string? metric, FindingRules rules)
    {
        bool useMetric = metric is not null && grid.Cells.Any(c => c.Metric(metric).HasValue);
        string what = useMetric ? $"gain in {metric}" : "drop in final val loss";
        double? Quality(GridCell? c) => c is null ? null : useMetric ? c.Metric(metric) : -c.ValLoss; // higher is better

        string rule =
            $"For each model, take its shortest and longest lengths and the data sizes that have a value at both. Gain(L) = {what} " +
            "from the smallest to the largest of those data sizes at length L (seed means). A model is eligible with two lengths and two data sizes. " +
            $"The larger models are the top ceil({rules.LargerModelsFraction:0.##} x eligible) by size. Holds if Gain(longest) - Gain(shortest) > " +
            $"{F(rules.MinChange(!useMetric), 4)} for every larger model. NotEnoughData if no model is eligible.";
        var statement = "Training length matters: larger models benefit from more data only when trained long enough; " +
                        "at short lengths data size makes little difference.";

        var eligible = new List<(string Model, double Short, double Long, string Text)>();
        foreach (var m in grid.Models)
        {
            var lengths = grid.Lengths.Where(l => grid.DataLabels.Any(d => Quality(grid.Cell(m, d, l)).HasValue)).ToList();
            if (lengths.Count < 2) continue;
            long lo = lengths[0], hi = lengths[^1];
            var data = grid.DataLabels.Where(d => Quality(grid.Cell(m, d, lo)).HasValue && Quality(grid.Cell(m, d, hi)).HasValue).ToList();
            if (data.Count < 2) continue;
            string small = data[0], large = data[^1];
            double gainShort = Quality(grid.Cell(m, large, lo))!.Value - Quality(grid.Cell(m, small, lo))!.Value;
            double gainLong = Quality(grid.Cell(m, large, hi))!.Value - Quality(grid.Cell(m, small, hi))!.Value;
            int digits = useMetric ? 2 : 4;
            eligible.Add((m, gainShort, gainLong,
                $"{m}: {what} {small} -> {large} is {Signed(gainShort, digits)} @{lo} and {Signed(gainLong, digits)} @{hi} " +
                $"(increase {Signed(gainLong - gainShort, digits)})"));
        }
        if (eligible.Count == 0)
            return new Finding(2, "Training length decides whether more data helps", statement, rule, FindingVerdict.NotEnoughData,
                ["no model has two data sizes at both its shortest and longest length"]);

        int larger = Math.Max(1, (int)Math.Ceiling(rules.LargerModelsFraction * eligible.Count));
        var largerModels = eligible.Skip(eligible.Count - larger).ToList();
        bool holds = largerModels.All(e => e.Long - e.Short > rules.MinChange(!useMetric));
        var evidence = eligible.Select(e => (largerModels.Contains(e) ? "[larger] " : "") + e.Text).ToList();
        return new Finding(2, "Training length decides whether more data helps", statement, rule,
            holds ? FindingVerdict.Holds : FindingVerdict.DoesNotHold, evidence);
    }
}
