using System.Diagnostics;
using System.Globalization;
using MimScale.Study.Planning;
using MimScale.Study.Store;

namespace MimScale.Study.Running;

/// <summary>
/// Study-wide progress and ETA. Pre-training left is measured in planned FLOPs (attributed per cell) and converted to
/// time at the FLOP rate observed in this session; evaluations left at this session's mean seconds per evaluation kind.
/// </summary>
internal sealed class StudyProgress
{
    private readonly IReadOnlyList<CellPlan> cells;
    private readonly HashSet<string> pretrained;
    private readonly HashSet<(string, string)> evaluated;
    private readonly Stopwatch elapsed = Stopwatch.StartNew();
    private readonly Dictionary<string, (double Seconds, int Count)> evalTimes = new(StringComparer.Ordinal);
    private double sessionFlops, sessionPretrainSeconds;

    private readonly int jobs;

    /// <param name="cells">The planned cells.</param>
    /// <param name="stored">The cells as the store has them.</param>
    /// <param name="jobs">Trunks running at once: the remaining work is shared among them.</param>
    public StudyProgress(IReadOnlyList<CellPlan> cells, IEnumerable<StoredCell> stored, int jobs = 1)
    {
        this.cells = cells;
        this.jobs = Math.Max(1, jobs);
        pretrained = stored.Where(s => s.Run is not null).Select(s => s.Key).ToHashSet(StringComparer.Ordinal);
        evaluated = stored.SelectMany(s => s.EvaluationResults.Select(e => (s.Key, e.Evaluation))).ToHashSet();
    }

    public int Total => cells.Count;
    public int Pretrained => cells.Count(c => pretrained.Contains(c.Key));
    public int Done => cells.Count(c => pretrained.Contains(c.Key) && c.Evaluations.All(e => evaluated.Contains((c.Key, e))));

    /// <summary>A cell's branch was stored; <paramref name="pretrainSeconds"/> = time spent in the trunk call since the last report.</summary>
    public void CellPretrained(CellPlan cell, double pretrainSeconds)
    {
        pretrained.Add(cell.Key);
        sessionFlops += cell.AttributedFlops;
        sessionPretrainSeconds += pretrainSeconds;
    }

    public void Evaluated(CellPlan cell, string evaluation, double seconds)
    {
        evaluated.Add((cell.Key, evaluation));
        var (s, n) = evalTimes.GetValueOrDefault(evaluation);
        evalTimes[evaluation] = (s + seconds, n + 1);
    }

    /// <summary>"study: 3/12 cells done, 5/12 pre-trained, elapsed 0:05:12, ETA 0:20:00".</summary>
    public string Line()
    {
        var text = $"study: {Done}/{Total} cells done, {Pretrained}/{Total} pre-trained, elapsed {Format(elapsed.Elapsed.TotalSeconds)}";
        return text + ", " + Eta();
    }

    private string Eta()
    {
        double remainingFlops = cells.Where(c => !pretrained.Contains(c.Key)).Sum(c => c.AttributedFlops);
        var remainingEvals = cells.SelectMany(c => c.Evaluations.Where(e => !evaluated.Contains((c.Key, e)))).ToList();
        if (remainingFlops == 0 && remainingEvals.Count == 0) return "ETA 0:00:00";
        if (remainingFlops > 0 && sessionFlops == 0) return "ETA unknown until a run finishes";
        double seconds = remainingFlops > 0 ? remainingFlops / sessionFlops * sessionPretrainSeconds : 0;
        int unknown = 0;
        foreach (var e in remainingEvals)
        {
            if (evalTimes.TryGetValue(e, out var t)) seconds += t.Seconds / t.Count;
            else unknown++;
        }
        return $"ETA {Format(seconds / jobs)}" + (unknown > 0 ? $" + {unknown} evaluation(s) not yet timed" : "");
    }

    public static string Format(double seconds)
    {
        var t = TimeSpan.FromSeconds(Math.Max(0, seconds));
        return string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalHours}:{t.Minutes:00}:{t.Seconds:00}");
    }
}
