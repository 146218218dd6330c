namespace MimScale.Analysis.Results;

/// <summary>All runs of one study, as handed to the analysis.</summary>
/// <param name="Name">Study name, shown in report titles.</param>
/// <param name="Runs">The runs, in any order.</param>
public sealed record StudyResults(string Name, IReadOnlyList<RunResult> Runs)
{
    /// <summary>Metric names present in at least one run, in first-seen order.</summary>
    public IReadOnlyList<string> MetricNames() =>
        Runs.SelectMany(r => r.Metrics.Keys).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>The runs of the main grid: every run without an <see cref="RunResult.Arm"/> (the input of the grid and findings 1-3).</summary>
    public StudyResults MainRuns() => Runs.All(r => r.Arm is null) ? this : this with { Runs = Runs.Where(r => r.Arm is null).ToList() };

    /// <summary>True when at least one run reports <paramref name="metric"/>.</summary>
    public bool HasMetric(string metric) => Runs.Any(r => r.Metrics.ContainsKey(metric));
}
