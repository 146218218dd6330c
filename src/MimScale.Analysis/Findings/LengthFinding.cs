using MimScale.Analysis.Grid;
using MimScale.Analysis.Statistics;
using static MimScale.Analysis.Findings.FindingsEvaluator;

namespace MimScale.Analysis.Findings;

/// <summary>
/// Finding 2, training length decides whether more data helps, on the two largest data sizes of the data axis (the paper's
/// 50% vs 100%): the smallest subsets overfit (finding 1) and must not drive this verdict.
/// </summary>
internal static class LengthFinding
{
    private const string Title = "Training length decides whether more data helps";
    private const string Statement =
        "Training length matters: at short lengths more data makes little difference; trained long enough, larger models benefit " +
        "from more data, and the more so the larger the model.";
    private const string ClaimA = "At the shortest length the downstream gap between the two largest data sizes is within noise.";
    private const string ClaimB = "At the longest length the larger data wins by more than noise, for the larger models.";
    private const string ClaimC = "The long-length gap grows with model size.";

    public static Finding Evaluate(ResultGrid grid, DataAxis axis, string? metric, FindingRules rules)
    {
        bool useMetric = metric is not null && grid.Cells.Any(c => c.Metric(metric).HasValue);
        double noise = rules.MinChange(!useMetric);
        int digits = useMetric ? 2 : 4;
        string quantity = useMetric ? metric! : "val-loss drop (no downstream metric: the val loss stands in)";
        double? Quality(GridCell? c) => c is null ? null : useMetric ? c.Metric(metric) : -c.ValLoss; // higher is better

        string ruleA = $"Gap(model, length) = {quantity} on the larger minus on the smaller of the two largest data sizes (seed means). " +
                       $"Holds if |gap| <= {F(noise, digits)} at the shortest length for every model that has both sizes there.";
        string ruleB = $"The larger models are the top floor({rules.LargerModelsFraction:0.##} x n) (at least one) of the n models with both sizes at " +
                       $"the longest length. Holds if every larger model's gap there is > {F(noise, digits)}.";
        string ruleC = $"With the same n models (n >= 2) split into the top and bottom floor({rules.LargerModelsFraction:0.##} x n): holds if the mean " +
                       $"long-length gap of the larger half exceeds the smaller half's by more than {F(noise, digits)} AND Spearman rho(model size, gap) > 0.";

        if (axis.Labels.Count < 2)
        {
            var why = $"fewer than two data sizes on the data axis ({string.Join(", ", axis.Labels)})";
            return Missing(why);
        }
        string small = axis.Labels[^2], large = axis.Labels[^1];
        double? Gap(string m, long l) => Quality(grid.Cell(m, large, l)) is { } hi && Quality(grid.Cell(m, small, l)) is { } lo ? hi - lo : null;
        var lengths = grid.Lengths.Where(l => grid.Models.Any(m => Gap(m, l).HasValue)).ToList();
        string selection = $"Compared data sizes: {small} vs {large}, the two largest on the data axis. " + axis.Describe() +
                           (lengths.Count >= 2 ? $" Shortest length {lengths[0]}, longest {lengths[^1]} (the lengths at which some model has both sizes)." : "");
        if (lengths.Count < 2)
            return Missing($"models have both {small} and {large} at fewer than two lengths", selection);
        long shortest = lengths[0], longest = lengths[^1];

        var atShort = grid.Models.Where(m => Gap(m, shortest).HasValue).Select(m => (Model: m, Gap: Gap(m, shortest)!.Value)).ToList();
        var atLong = grid.Models.Where(m => Gap(m, longest).HasValue).Select(m => (Model: m, Gap: Gap(m, longest)!.Value)).ToList();
        string List(IEnumerable<(string Model, double Gap)> gaps) => string.Join(", ", gaps.Select(g => $"{g.Model} {Signed(g.Gap, digits)}"));

        // (a) all within noise at the shortest length.
        SubClaim a;
        if (atShort.Count == 0) a = SubClaim.Missing("a", ClaimA, ruleA, $"no model has both sizes at {shortest}");
        else
        {
            var worst = atShort.MaxBy(g => Math.Abs(g.Gap));
            a = new SubClaim("a", ClaimA, ruleA, atShort.All(g => Math.Abs(g.Gap) <= noise) ? FindingVerdict.Holds : FindingVerdict.DoesNotHold,
                $"gaps @{shortest}: {List(atShort)} (largest |gap| {F(Math.Abs(worst.Gap), digits)}, {worst.Model})", []);
        }

        // (b) the larger models win by more than noise at the longest length.
        int h = FindingRules.HalfCount(atLong.Count, rules.LargerModelsFraction);
        var largerHalf = atLong.Skip(atLong.Count - h).ToList();
        var b = atLong.Count == 0
            ? SubClaim.Missing("b", ClaimB, ruleB, $"no model has both sizes at {longest}")
            : new SubClaim("b", ClaimB, ruleB, largerHalf.All(g => g.Gap > noise) ? FindingVerdict.Holds : FindingVerdict.DoesNotHold,
                $"gaps @{longest} of the larger models: {List(largerHalf)}", [$"all gaps @{longest}: {List(atLong)}"]);

        // (c) growth with model size: halves' means differ beyond noise and the rank correlation is positive.
        SubClaim c;
        if (atLong.Count < 2) c = SubClaim.Missing("c", ClaimC, ruleC, $"fewer than two models have both sizes at {longest}");
        else
        {
            var smallerHalf = atLong.Take(h).ToList();
            double meanLarge = Stats.Mean(largerHalf.Select(g => g.Gap).ToList()), meanSmall = Stats.Mean(smallerHalf.Select(g => g.Gap).ToList());
            double rho = Stats.Spearman(atLong.Select((_, i) => (double)i).ToList(), atLong.Select(g => g.Gap).ToList());
            bool grows = meanLarge - meanSmall > noise && rho > 0;
            c = new SubClaim("c", ClaimC, ruleC, grows ? FindingVerdict.Holds : FindingVerdict.DoesNotHold,
                $"mean gap @{longest}: larger half {F(meanLarge, digits)} vs smaller half {F(meanSmall, digits)} (difference {Signed(meanLarge - meanSmall, digits)}); " +
                $"Spearman rho(size, gap) = {(double.IsNaN(rho) ? "n/a" : F(rho, 2))}",
                [$"larger half: {string.Join(", ", largerHalf.Select(g => g.Model))}; smaller half: {string.Join(", ", smallerHalf.Select(g => g.Model))}"]);
        }
        return new Finding(2, Title, Statement, selection, [a, b, c], []);

        Finding Missing(string why, string? sel = null) => new(2, Title, Statement, sel ?? axis.Describe(),
            [SubClaim.Missing("a", ClaimA, ruleA, why), SubClaim.Missing("b", ClaimB, ruleB, why), SubClaim.Missing("c", ClaimC, ruleC, why)], []);
    }
}
