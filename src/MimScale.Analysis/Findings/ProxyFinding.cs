using static MimScale.Analysis.FindingsEvaluator;

namespace MimScale.Analysis;

/// <summary>Finding 3: the pre-training validation loss predicts the downstream metric.</summary>
internal static class ProxyFinding
{
    public static Finding Evaluate(StudyResults results, ResultGrid grid, string? metric, FindingRules rules)
    {
        string threshold = F(rules.CorrelationThreshold, 2);
        string rule =
            $"Pearson r of final val loss vs {metric ?? "the metric"} over runs. Holds if r <= {threshold} over all runs (n >= {rules.MinCorrelationPoints}) " +
            $"AND r <= {threshold} for at least half of the models with n >= {rules.MinCorrelationPoints} runs (if any). " +
            "NotEnoughData without a metric or with fewer runs overall.";
        var statement = "The pre-training validation loss is a good proxy for fine-tuning performance: it correlates strongly and negatively with the metric.";
        Finding Result(FindingVerdict v, List<string> e) => new(3, "Validation loss predicts the downstream metric", statement, rule, v, e);

        if (metric is null) return Result(FindingVerdict.NotEnoughData, ["no downstream metric in the results"]);

        Correlation Of(IEnumerable<RunResult> runs)
        {
            var pairs = runs.Where(r => r.FinalValLoss.HasValue && r.Metric(metric).HasValue).ToList();
            return Correlation.Of(pairs.Select(r => r.FinalValLoss!.Value).ToList(), pairs.Select(r => r.Metric(metric)!.Value).ToList());
        }
        string Describe(string name, Correlation c) =>
            $"{name}: r = {F(c.Pearson, 4)} (n = {c.N}, p = {(double.IsNaN(c.PearsonP) ? "n/a" : c.PearsonP.ToString("G3", System.Globalization.CultureInfo.InvariantCulture))}), " +
            $"Spearman {F(c.Spearman, 4)}";

        var overall = Of(results.Runs);
        if (overall.N < rules.MinCorrelationPoints || double.IsNaN(overall.Pearson))
            return Result(FindingVerdict.NotEnoughData,
                [$"only {overall.N} runs have both val loss and {metric} (need {rules.MinCorrelationPoints}, with varying values)"]);

        var evidence = new List<string> { Describe("all runs", overall) };
        var perModel = grid.Models.Select(m => (Model: m, C: Of(results.Runs.Where(r => r.Model == m)))).ToList();
        evidence.AddRange(perModel.Select(p => Describe(p.Model, p.C)));
        var counted = perModel.Where(p => p.C.N >= rules.MinCorrelationPoints && !double.IsNaN(p.C.Pearson)).ToList();
        int strong = counted.Count(p => p.C.Pearson <= rules.CorrelationThreshold);
        evidence.Add($"{strong} of {counted.Count} models with n >= {rules.MinCorrelationPoints} have r <= {threshold}");
        bool holds = overall.Pearson <= rules.CorrelationThreshold && (counted.Count == 0 || 2 * strong >= counted.Count);
        return Result(holds ? FindingVerdict.Holds : FindingVerdict.DoesNotHold, evidence);
    }
}
