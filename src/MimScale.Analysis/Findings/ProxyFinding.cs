using System.Globalization;
using MimScale.Analysis.Grid;
using MimScale.Analysis.Overfitting;
using MimScale.Analysis.Results;
using MimScale.Analysis.Statistics;
using static MimScale.Analysis.Findings.FindingsEvaluator;

namespace MimScale.Analysis.Findings;

/// <summary>Finding 3: the pre-training validation loss predicts the downstream metric (Table 7 and Figure 4 of the paper).</summary>
internal static class ProxyFinding
{
    private const string Title = "Validation loss predicts the downstream metric";
    private const string Statement =
        "The pre-training validation loss is a good proxy for fine-tuning performance: it correlates strongly and negatively with " +
        "every downstream metric, better than the training loss, with a phase transition at overfitting.";
    private const string ClaimA = "Pearson r(final val loss, metric) is strongly negative overall and for most model sizes.";
    private const string ClaimB = "For every downstream metric, |r| of the validation loss exceeds |r| of the training loss (Table 7).";
    private const string ClaimC = "Phase transition: within non-overfitting runs the correlation is strong, and overfitting runs fall off the non-overfitting fit.";

    public static (Finding Finding, PhaseSplit? Phase) Evaluate(StudyResults results, ResultGrid grid, IReadOnlyList<OverfitAssessment> overfitting,
        string? metric, FindingRules rules, OverfitRule overfitRule)
    {
        string t = F(rules.CorrelationThreshold, 2);
        int min = rules.MinCorrelationPoints;
        string ruleA = $"Each run is one point. Holds if r <= {t} over all runs (n >= {min}) AND r <= {t} for more than half of the models with n >= {min} runs.";
        string ruleB = $"For each metric, over the runs that have val loss, train loss and the metric (n >= {min}): holds if |r(val)| > |r(train)| for every metric.";
        string ruleC = $"Overfitting runs: those the overfitting table marks (val loss more than {100 * overfitRule.MinRelativeRise:0.##}% above its minimum). Holds if the non-overfitting runs have r <= {t} " +
                       $"(n >= {min}) AND more than half of the overfitting runs have |metric - fit| > {rules.PhaseResidualSigmas:0.##} x the fit's residual sd " +
                       "(sqrt(SS_res / (n - 2)), least-squares line of metric on val loss over the non-overfitting runs).";
        string selection = metric is null ? "No downstream metric in the results." : $"Primary metric {metric}; (b) covers every metric of the study.";
        if (metric is null)
        {
            const string why = "no downstream metric in the results";
            return (new Finding(3, Title, Statement, selection,
                [SubClaim.Missing("a", ClaimA, ruleA, why), SubClaim.Missing("b", ClaimB, ruleB, why), SubClaim.Missing("c", ClaimC, ruleC, why)], []), null);
        }
        var phase = PhaseSplit.Build(results, overfitting, metric, rules.PhaseResidualSigmas);
        return (new Finding(3, Title, Statement, selection,
            [A(results, grid, metric, rules, ruleA), B(results, rules, ruleB), C(phase, overfitting, metric, rules, ruleC)], Axes(results, metric, rules)), phase);
    }

    private static Correlation Of(IEnumerable<RunResult> runs, Func<RunResult, double?> loss, string metric)
    {
        var pairs = runs.Where(r => loss(r).HasValue && r.Metric(metric).HasValue).ToList();
        return Correlation.Of(pairs.Select(r => loss(r)!.Value).ToList(), pairs.Select(r => r.Metric(metric)!.Value).ToList());
    }

    private static string R(Correlation c) => double.IsNaN(c.Pearson) ? $"r n/a (n = {c.N})" : $"r = {F(c.Pearson, 4)} (n = {c.N})";

    private static SubClaim A(StudyResults results, ResultGrid grid, string metric, FindingRules rules, string rule)
    {
        var overall = Of(results.Runs, r => r.FinalValLoss, metric);
        if (overall.N < rules.MinCorrelationPoints || double.IsNaN(overall.Pearson))
            return SubClaim.Missing("a", ClaimA, rule, $"only {overall.N} runs have both val loss and {metric} (need {rules.MinCorrelationPoints}, with varying values)");
        var perModel = grid.Models.Select(m => (Model: m, C: Of(results.Runs.Where(r => r.Model == m), r => r.FinalValLoss, metric))).ToList();
        var counted = perModel.Where(p => p.C.N >= rules.MinCorrelationPoints && !double.IsNaN(p.C.Pearson)).ToList();
        int strong = counted.Count(p => p.C.Pearson <= rules.CorrelationThreshold);
        var evidence = perModel.Select(p => $"{p.Model}: {R(p.C)}, p = {P(p.C.PearsonP)}, Spearman {F(p.C.Spearman, 4)}").ToList();
        string numbers = $"all runs {R(overall)}; {strong} of {counted.Count} models with n >= {rules.MinCorrelationPoints} have r <= {F(rules.CorrelationThreshold, 2)}";
        FindingVerdict verdict = overall.Pearson > rules.CorrelationThreshold ? FindingVerdict.DoesNotHold
            : counted.Count == 0 ? FindingVerdict.NotEnoughData
            : 2 * strong > counted.Count ? FindingVerdict.Holds : FindingVerdict.DoesNotHold;
        if (verdict == FindingVerdict.NotEnoughData) numbers += " (no model has enough runs)";
        return new SubClaim("a", ClaimA, rule, verdict, numbers, evidence);
    }

    private static SubClaim B(StudyResults results, FindingRules rules, string rule)
    {
        if (!results.Runs.Any(r => r.FinalTrainLoss.HasValue))
            return SubClaim.Missing("b", ClaimB, rule, "no run records a final training loss");
        var verdicts = new List<FindingVerdict>();
        var parts = new List<string>();
        foreach (var metric in results.MetricNames())
        {
            var runs = results.Runs.Where(r => r.FinalValLoss.HasValue && r.FinalTrainLoss.HasValue && r.Metric(metric).HasValue).ToList();
            var val = Of(runs, r => r.FinalValLoss, metric);
            var train = Of(runs, r => r.FinalTrainLoss, metric);
            if (runs.Count < rules.MinCorrelationPoints || double.IsNaN(val.Pearson) || double.IsNaN(train.Pearson))
            {
                verdicts.Add(FindingVerdict.NotEnoughData);
                // Enough runs but no r: the metric (or a loss) is the same for every run, e.g. a dense task whose
                // budget leaves every cell at the same trivial prediction.
                parts.Add(runs.Count < rules.MinCorrelationPoints ? $"{metric}: n = {runs.Count}, not enough"
                    : $"{metric}: n = {runs.Count}, r undefined (constant over the runs)");
                continue;
            }
            bool holds = Math.Abs(val.Pearson) > Math.Abs(train.Pearson);
            verdicts.Add(holds ? FindingVerdict.Holds : FindingVerdict.DoesNotHold);
            parts.Add($"{metric}: |r(val)| {F(Math.Abs(val.Pearson), 4)} {(holds ? ">" : "<=")} |r(train)| {F(Math.Abs(train.Pearson), 4)} (n = {runs.Count})");
        }
        if (verdicts.Count == 0) return SubClaim.Missing("b", ClaimB, rule, "no downstream metric in the results");
        return new SubClaim("b", ClaimB, rule, Finding.Combine(verdicts), string.Join("; ", parts), []);
    }

    private static SubClaim C(PhaseSplit? phase, IReadOnlyList<OverfitAssessment> overfitting, string metric, FindingRules rules, string rule)
    {
        if (phase is null || phase.NonOverfitting.N < rules.MinCorrelationPoints || double.IsNaN(phase.NonOverfitting.Pearson))
        {
            int n = phase?.NonOverfitting.N ?? overfitting.Count(o => o.Status == OverfitStatus.NotOverfitting);
            return SubClaim.Missing("c", ClaimC, rule, $"{n} non-overfitting runs with val loss and {metric} (need {rules.MinCorrelationPoints}, with varying values)");
        }
        var fit = phase.NonOverfitting.Fit!;
        string fitText = $"non-overfitting {R(phase.NonOverfitting)}, fit {metric} = {F(fit.Intercept, 2)} {(fit.Slope < 0 ? "-" : "+")} {F(Math.Abs(fit.Slope), 2)} x val, " +
                         $"residual sd {F(phase.ResidualSd, 3)}";
        if (phase.Overfitting.Count == 0)
            return new SubClaim("c", ClaimC, rule, FindingVerdict.NotEnoughData, fitText + "; no overfitting run to compare", []);
        int off = phase.Overfitting.Count(p => p.FallsOff);
        bool strong = phase.NonOverfitting.Pearson <= rules.CorrelationThreshold;
        var residuals = phase.Overfitting.Select(p => p.Residual).ToList();
        string numbers = fitText + $"; {off} of {phase.Overfitting.Count} overfitting runs off by > {rules.PhaseResidualSigmas:0.##} sd " +
                         $"(residuals {Signed(residuals.Min(), 2)} .. {Signed(residuals.Max(), 2)})";
        var evidence = phase.Overfitting.Select(p =>
            $"{p.Run.Describe()}: val {F(p.Run.FinalValLoss!.Value, 4)}, {metric} {F(p.Run.Metric(metric)!.Value, 2)}, fit {F(p.Predicted, 2)}, " +
            $"residual {Signed(p.Residual, 2)} ({F(p.Residual / phase.ResidualSd, 2)} sd){(p.FallsOff ? " falls off" : "")}").ToList();
        if (phase.OverfittingFit.Fit is { } of)
            evidence.Add($"overfitting runs alone: {R(phase.OverfittingFit)}, slope {F(of.Slope, 2)} vs {F(fit.Slope, 2)} for the non-overfitting runs");
        return new SubClaim("c", ClaimC, rule, strong && 2 * off > phase.Overfitting.Count ? FindingVerdict.Holds : FindingVerdict.DoesNotHold,
            numbers, evidence);
    }

    /// <summary>Evidence, no rule: what the metric moves with along each axis (<see cref="AxisCorrelations"/>).</summary>
    private static List<string> Axes(StudyResults results, string metric, FindingRules rules)
    {
        var (data, dataGroups) = AxisCorrelations.DataAxis(results.Runs, metric);
        var (length, lengthGroups) = AxisCorrelations.LengthAxis(results.Runs, metric);
        var lines = new List<string>
        {
            $"What {metric} moves with (evidence, not a rule; values centred within each group): along the data axis (one model, length and seed; " +
            $"{dataGroups} groups) r(val loss, {metric}) {Rn(data)}; along the lengths (one model, data size and seed; {lengthGroups} groups) " +
            $"r(ln iterations, {metric}) {Rn(length)}",
        };
        if (!double.IsNaN(data.Pearson) && !double.IsNaN(length.Pearson) && data.Pearson > rules.CorrelationThreshold && length.Pearson >= -rules.CorrelationThreshold)
            lines.Add($"{metric} rises with the pre-training length but does not follow the val loss along the data axis: it reflects how long the " +
                      "encoder was pre-trained more than what the val loss measures, so the sub-claims that need it to follow the val loss are not to be expected here");
        return lines;
    }

    private static string Rn(Correlation c) => double.IsNaN(c.Pearson) ? $"n/a (n = {c.N})" : $"= {F(c.Pearson, 4)} (n = {c.N})";

    private static string P(double p) => double.IsNaN(p) ? "n/a" : p.ToString("G3", CultureInfo.InvariantCulture);
}
