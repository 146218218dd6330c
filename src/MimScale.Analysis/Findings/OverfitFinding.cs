using static MimScale.Analysis.FindingsEvaluator;

namespace MimScale.Analysis;

/// <summary>Finding 1: large models overfit small data.</summary>
internal static class OverfitFinding
{
    public static Finding Evaluate(ResultGrid grid, string? metric, FindingRules rules)
    {
        // Quantity compared: rise of final val loss from the shortest to the longest length; when no val loss
        // exists anywhere, the fall of the metric over the same span.
        bool useLoss = grid.Cells.Any(c => c.ValLoss.HasValue);
        string quantity = useLoss ? "val-loss rise" : $"{metric ?? "metric"} fall";
        string rule =
            $"Take the largest model M that has runs at two or more lengths on some data, and the smallest such data D. " +
            $"Change = {(useLoss ? "final val loss" : "minus the metric")} at the longest length minus at the shortest length (seed means). " +
            $"Holds if the {quantity} of (M, D) is > {F(rules.MinChange(useLoss), 4)} AND larger than the {quantity} of every smaller model on D " +
            "and of M on every larger data. NotEnoughData if M or any comparison is missing.";

        var statement = "Large models overfit small data: with longer training their validation loss rises (and fine-tune accuracy falls), " +
                        "more than for smaller models or larger data.";
        Finding Result(FindingVerdict v, List<string> e) => new(1, "Large models overfit small data", statement, rule, v, e);

        Change? Of(string m, string d)
        {
            var s = grid.Series(m, d).Where(c => useLoss ? c.ValLoss.HasValue : c.Metric(metric).HasValue).ToList();
            if (s.Count < 2) return null;
            double first = useLoss ? s[0].ValLoss!.Value : -s[0].Metric(metric)!.Value;
            double last = useLoss ? s[^1].ValLoss!.Value : -s[^1].Metric(metric)!.Value;
            return new Change(m, d, s[0], s[^1], last - first);
        }

        string? model = grid.Models.Reverse().FirstOrDefault(m => grid.DataLabels.Any(d => Of(m, d) is not null));
        if (model is null)
            return Result(FindingVerdict.NotEnoughData, ["no model has runs at two or more lengths on the same data"]);
        string data = grid.DataLabels.First(d => Of(model, d) is not null);
        var main = Of(model, data)!;

        var comparisons = grid.Models.TakeWhile(m => m != model).Select(m => Of(m, data))
            .Concat(grid.DataLabels.SkipWhile(d => d != data).Skip(1).Select(d => Of(model, d)))
            .OfType<Change>().ToList();
        var evidence = new List<string> { "largest model, smallest data: " + main.Describe(metric) };
        evidence.AddRange(comparisons.Select(c => "comparison: " + c.Describe(metric)));
        if (comparisons.Count == 0)
        {
            evidence.Add("no smaller model on the same data and no larger data for the same model to compare with");
            return Result(FindingVerdict.NotEnoughData, evidence);
        }
        bool holds = main.Value > rules.MinChange(useLoss) && comparisons.All(c => main.Value > c.Value);
        evidence.Add($"{quantity} of the largest model on the smallest data = {Signed(main.Value, 4)}; " +
                     $"largest comparison = {Signed(comparisons.Max(c => c.Value), 4)}");
        return Result(holds ? FindingVerdict.Holds : FindingVerdict.DoesNotHold, evidence);
    }

    /// <summary>Change of a (model, data) pair from its shortest to its longest length.</summary>
    private sealed record Change(string Model, string Data, GridCell Shortest, GridCell Longest, double Value)
    {
        public string Describe(string? metric)
        {
            string Val(GridCell c) => c.ValLoss is { } v ? F(v, 4) : "n/a";
            string Met(GridCell c) => c.Metric(metric) is { } v ? F(v, 2) : "n/a";
            var text = $"{Model} / {Data}: val loss {Val(Shortest)} @{Shortest.Iterations} -> {Val(Longest)} @{Longest.Iterations}";
            if (metric is not null) text += $", {metric} {Met(Shortest)} -> {Met(Longest)}";
            return text + $" (change {Signed(Value, 4)})";
        }
    }
}
