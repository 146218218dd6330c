using MimScale.Analysis.Grid;
using MimScale.Analysis.Overfitting;
using MimScale.Analysis.Statistics;
using MimScale.Analysis.Tables;
using static MimScale.Analysis.Findings.FindingsEvaluator;

namespace MimScale.Analysis.Findings;

/// <summary>
/// Finding 1, large models overfit small data, as three sub-claims on one witness: a larger model (top half of the model
/// sizes) on a smaller data size (bottom half of the data axis). Every such pair is evaluated; the report shows the
/// strongest (see <see cref="Finding.Selection"/>).
/// </summary>
internal static class OverfitFinding
{
    private const string Title = "Large models overfit small data";
    private const string Statement =
        "Large models overfit small data: trained longer on small data, a large model's validation loss rises and its downstream " +
        "metric falls, so on small data it can end below a smaller model while it is above that model on the largest data (Table 3).";
    private const string ClaimA = "The validation loss of a larger model on a smaller data size rises from the shorter to the longer training length (or along its own curve).";
    private const string ClaimB = "The downstream metric of the same model and data falls with it.";
    private const string ClaimC = "Table 3's inversion: on that data size the larger model's best metric is below a smaller model's, while on the largest data size it is above.";

    public static (Finding Finding, OverfitWitness? Witness) Evaluate(ResultGrid grid, DataAxis axis, string? metric, FindingRules rules, OverfitRule overfitRule)
    {
        string ruleA = $"Rise = final val loss (seed mean) at the pair's longest length minus at its shortest; for runs with >= {overfitRule.MinValPoints} " +
                       $"val evaluations also final minus minimum of the longest run's curve (mean over seeds). Holds if either rise > {F(rules.MinLossChange, 4)}.";
        string ruleB = $"Fall = {metric ?? "metric"} (seed mean) at the pair's shortest length minus at its longest. Holds if fall > {F(rules.MinMetricChange, 2)}.";
        string ruleC = "Best = Table 3's maximum over lengths. Competitor M' = the smaller model with the highest best on the pair's data D among those that share " +
                       "a larger data size with the model M; L = the largest such data size on the axis. Holds if best(M, D) < best(M', D), best(M, L) > best(M', L), " +
                       $"and the gap best(M) - best(M') swings by more than {F(rules.MinMetricChange, 2)} from D to L.";

        int nLarge = FindingRules.HalfCount(grid.Models.Count, rules.LargerModelsFraction);
        var larger = grid.Models.Skip(grid.Models.Count - nLarge).ToList();
        int nSmall = FindingRules.HalfCount(axis.Labels.Count, rules.SmallerDataFraction);
        var smaller = axis.Labels.Take(nSmall).ToList();
        string selection =
            $"Larger models: the top floor({rules.LargerModelsFraction:0.##} x {grid.Models.Count}) = {nLarge} of the model sizes ({string.Join(", ", larger)}); " +
            $"smaller data: the bottom floor({rules.SmallerDataFraction:0.##} x {axis.Labels.Count}) = {nSmall} of the data axis ({string.Join(", ", smaller)}). " +
            "Every (larger model, smaller data) pair with runs is a candidate; the witness is the candidate with the most sub-claims holding, then the fewest " +
            "not holding, then the largest metric fall, then the largest val-loss rise. " + axis.Describe();

        var best = metric is null ? null : BestMetricTable.Build(grid, metric);
        var candidates = (from m in larger from d in smaller where grid.Series(m, d).Count > 0
                          select Candidate(grid, axis, best, metric, m, d, rules, overfitRule, ruleA, ruleB, ruleC)).ToList();
        if (candidates.Count == 0)
        {
            string why = $"no run of a larger model ({string.Join(", ", larger)}) on a smaller data size ({string.Join(", ", smaller)})";
            return (new Finding(1, Title, Statement, selection,
                [SubClaim.Missing("a", ClaimA, ruleA, why), SubClaim.Missing("b", ClaimB, ruleB, why), SubClaim.Missing("c", ClaimC, ruleC, why)], []), null);
        }

        var witness = candidates.OrderByDescending(c => c.Count(FindingVerdict.Holds)).ThenBy(c => c.Count(FindingVerdict.DoesNotHold))
            .ThenByDescending(c => c.Fall ?? double.NegativeInfinity).ThenByDescending(c => c.Rise ?? double.NegativeInfinity).First();
        var evidence = candidates.Select(c =>
            $"{(c == witness ? "[witness] " : "")}{c.Witness.Model} / {c.Witness.Data}: " +
            string.Join(", ", c.Subs.Select(s => $"({s.Id}) {Finding.Words(s.Verdict)}"))).ToList();
        return (new Finding(1, Title, Statement, selection, witness.Subs, evidence), witness.Witness);
    }

    private sealed record Scored(OverfitWitness Witness, IReadOnlyList<SubClaim> Subs, double? Fall, double? Rise)
    {
        public int Count(FindingVerdict v) => Subs.Count(s => s.Verdict == v);
    }

    private static Scored Candidate(ResultGrid grid, DataAxis axis, BestMetricTable? best, string? metric, string m, string d,
        FindingRules rules, OverfitRule overfitRule, string ruleA, string ruleB, string ruleC)
    {
        var series = grid.Series(m, d);
        string pair = $"{m} / {d}";

        // (a) rise across lengths and/or along the longest run's own curve.
        var withVal = series.Where(c => c.ValLoss.HasValue).ToList();
        double? cross = withVal.Count >= 2 ? withVal[^1].ValLoss!.Value - withVal[0].ValLoss!.Value : null;
        var curveRises = series[^1].Runs.Select(r => OverfitDetector.FromCurve(r, overfitRule)).OfType<OverfitAssessment>()
            .Select(o => o.Rise!.Value).ToList();
        double? curve = curveRises.Count > 0 ? Stats.Mean(curveRises) : null;
        var partsA = new List<string>();
        if (cross is { } x) partsA.Add($"{pair}: val loss {F(withVal[0].ValLoss!.Value, 4)} @{withVal[0].Iterations} -> {F(withVal[^1].ValLoss!.Value, 4)} @{withVal[^1].Iterations} ({Signed(x, 4)})");
        if (curve is { } cv) partsA.Add($"{pair} @{series[^1].Iterations}: final - min of its val curve = {Signed(cv, 4)}");
        var a = partsA.Count == 0
            ? SubClaim.Missing("a", ClaimA, ruleA, $"{pair}: one length with a val loss and no val curve")
            : new SubClaim("a", ClaimA, ruleA, cross > rules.MinLossChange || curve > rules.MinLossChange ? FindingVerdict.Holds : FindingVerdict.DoesNotHold,
                string.Join("; ", partsA), []);

        // (b) the metric over the same span.
        SubClaim b;
        double? fall = null;
        var withMetric = metric is null ? [] : series.Where(c => c.Metric(metric).HasValue).ToList();
        if (metric is null) b = SubClaim.Missing("b", ClaimB, ruleB, "no downstream metric in the results");
        else if (withMetric.Count < 2) b = SubClaim.Missing("b", ClaimB, ruleB, $"{pair}: {metric} at fewer than two lengths");
        else
        {
            double first = withMetric[0].Metric(metric)!.Value, last = withMetric[^1].Metric(metric)!.Value;
            fall = first - last;
            b = new SubClaim("b", ClaimB, ruleB, fall > rules.MinMetricChange ? FindingVerdict.Holds : FindingVerdict.DoesNotHold,
                $"{pair}: {metric} {F(first, 2)} @{withMetric[0].Iterations} -> {F(last, 2)} @{withMetric[^1].Iterations} ({Signed(-fall.Value, 2)})", []);
        }

        var (c, competitor, largest) = Inversion(grid, axis, best, m, d, rules, ruleC);
        var subs = new[] { a, b, c };
        var witness = new OverfitWitness(m, d, withVal.Count >= 2 ? withVal[0] : null, series[^1], competitor, largest,
            subs.All(s => s.Verdict == FindingVerdict.Holds));
        return new Scored(witness, subs, fall, cross ?? curve);
    }

    private static (SubClaim Claim, string? Competitor, string? Largest) Inversion(ResultGrid grid, DataAxis axis, BestMetricTable? best,
        string m, string d, FindingRules rules, string ruleC)
    {
        if (best is null) return (SubClaim.Missing("c", ClaimC, ruleC, "no downstream metric in the results"), null, null);
        if (best.Get(m, d) is not { } own) return (SubClaim.Missing("c", ClaimC, ruleC, $"{m} has no {best.Metric} on {d}"), null, null);
        var larger = axis.Labels.SkipWhile(x => x != d).Skip(1).Reverse().ToList(); // largest first
        var options = new List<(string Model, string Largest, double OnD, double Own, double Other, double Swing, bool Holds)>();
        foreach (var s in grid.Models.TakeWhile(x => x != m))
        {
            if (best.Get(s, d) is not { } other) continue;
            var big = larger.FirstOrDefault(x => best.Get(m, x) is not null && best.Get(s, x) is not null);
            if (big is null) continue;
            double ownBig = best.Get(m, big)!.Value, otherBig = best.Get(s, big)!.Value;
            double swing = (ownBig - otherBig) - (own.Value - other.Value);
            options.Add((s, big, other.Value, ownBig, otherBig, swing,
                own.Value < other.Value && ownBig > otherBig && swing > rules.MinMetricChange));
        }
        if (options.Count == 0)
            return (SubClaim.Missing("c", ClaimC, ruleC, $"no smaller model has a best {best.Metric} on {d} and on a larger data size shared with {m}"), null, null);

        var pick = options.OrderByDescending(o => o.Holds).ThenByDescending(o => o.OnD).First();
        string Cmp(double x, double y) => x < y ? "below" : x > y ? "above" : "equal to";
        string Text(string model, (string Model, string Largest, double OnD, double Own, double Other, double Swing, bool Holds) o) =>
            $"best {best.Metric} of {model} {F(own.Value, 2)} {Cmp(own.Value, o.OnD)} {o.Model}'s {F(o.OnD, 2)} on {d}; " +
            $"{F(o.Own, 2)} {Cmp(o.Own, o.Other)} {F(o.Other, 2)} on {o.Largest} (swing {Signed(o.Swing, 2)})";
        var evidence = options.Where(o => o != pick).Select(o => "also: " + Text(m, o)).ToList();
        return (new SubClaim("c", ClaimC, ruleC, pick.Holds ? FindingVerdict.Holds : FindingVerdict.DoesNotHold, Text(m, pick), evidence),
            pick.Model, pick.Largest);
    }
}
