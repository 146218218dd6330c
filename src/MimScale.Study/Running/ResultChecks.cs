using MimScale.Study.Execution;
using MimScale.Study.Planning;
using MimScale.Study.Spec;

namespace MimScale.Study.Running;

/// <summary>Contract checks on what an executor returns, before anything is stored.</summary>
internal static class ResultChecks
{
    public static void Pretrain(CellPlan cell, CellPretrainResult r)
    {
        string who = $"cell {cell.Key}";
        if (r.FinalValLoss is not double v || !double.IsFinite(v))
            throw new StudyExecutionException($"{who}: the executor reported no finite final validation loss ({r.FinalValLoss?.ToString() ?? "null"}); it is required for every cell");
        if (r.FinalTrainLoss is double t && !double.IsFinite(t))
            throw new StudyExecutionException($"{who}: non-finite final training loss {t}");
        if (string.IsNullOrWhiteSpace(r.RunDir)) throw new StudyExecutionException($"{who}: empty run folder");
        if (!(r.TrunkSeconds >= 0) || !(r.DecaySeconds >= 0))
            throw new StudyExecutionException($"{who}: wall seconds must be >= 0 (trunk {r.TrunkSeconds}, decay {r.DecaySeconds})");
        long previous = 0;
        foreach (var p in r.Curve)
        {
            if (p.Iteration <= previous || p.Iteration > cell.Iterations)
                throw new StudyExecutionException($"{who}: curve iterations must increase within 1..{cell.Iterations}; got {p.Iteration} after {previous}");
            if (p.TrainLoss is double a && !double.IsFinite(a) || p.ValLoss is double b && !double.IsFinite(b))
                throw new StudyExecutionException($"{who}: non-finite loss in the curve at iteration {p.Iteration}");
            previous = p.Iteration;
        }
    }

    public static void Evaluation(CellPlan cell, string evaluation, IReadOnlyDictionary<string, double>? metrics)
    {
        string who = $"cell {cell.Key}, {evaluation}";
        if (metrics is null || metrics.Count == 0) throw new StudyExecutionException($"{who}: the executor returned no metrics");
        foreach (var (name, value) in metrics)
        {
            if (!name.StartsWith(evaluation + "_", StringComparison.Ordinal))
                throw new StudyExecutionException($"{who}: metric '{name}' must start with '{evaluation}_' (e.g. {StudySpec.TopMetric(evaluation)})");
            if (!double.IsFinite(value)) throw new StudyExecutionException($"{who}: metric '{name}' is not finite ({value})");
        }
    }
}
