using MimScale.Study.Planning;
using MimScale.Study.Spec;
using MimScale.Study.Store;

namespace MimScale.Study.Running;

/// <summary>
/// A study's current cells as `study status` and `study report` show them: from a spec (planned now, so cells not
/// started yet appear too) or from a folder (its last registered spec). When no `study run` holds the folder, cells
/// the store still marks as running belong to a runner that died: they are shown as interrupted, which a rerun redoes.
/// </summary>
/// <param name="Name">Study name.</param>
/// <param name="Cells">The current spec's cells.</param>
/// <param name="OtherCells">Stored cells of other spec versions.</param>
/// <param name="Folder">The study folder.</param>
/// <param name="Metric">The spec's report metric.</param>
/// <param name="Claims">Trunks held by workers (`study run --worker`), live or stale.</param>
public sealed record StudyStatus(string Name, IReadOnlyList<StoredCell> Cells, int OtherCells, StudyFolder Folder, string Metric,
    IReadOnlyList<TrunkClaim> Claims)
{
    /// <summary>The status of <paramref name="target"/> (a spec, whose folder is <paramref name="outDir"/> or the default, or a study folder); null when the spec has no results yet.</summary>
    /// <param name="target">A spec file or a study folder.</param>
    /// <param name="outDir">The study folder of a spec; null = its default.</param>
    /// <param name="storeAt">Where the store is (default: the folder's study.db). For a PostgreSQL store the folder
    /// (or spec) names the study; the folder's spec.yaml is read when no spec is given.</param>
    public static StudyStatus? Load(string target, string? outDir, StoreLocation? storeAt = null)
    {
        storeAt ??= StoreLocation.Default;
        StudyFolder folder;
        StudySpec spec;
        IReadOnlyList<CellPlan>? planned = null;
        if (Directory.Exists(target))
        {
            folder = StudyFolder.At(target);
            if (storeAt.Address is null && !folder.Exists) throw new IOException($"{target}: not a study folder (no study.db)");
            if (storeAt.Address is not null && !File.Exists(folder.SpecPath)) throw new IOException($"{target}: not a study folder (no spec.yaml)");
            spec = storeAt.Address is null ? null! : StudySpecReader.Load(folder.SpecPath);
        }
        else
        {
            spec = StudySpecReader.Load(target);
            folder = outDir is null ? StudyFolder.DefaultFor(spec) : StudyFolder.At(outDir);
            planned = StudyPlanner.Plan(spec, new ManifestResolver(null)).Cells;
            if (storeAt.Address is null && !folder.Exists) return null;
        }
        using var store = storeAt.Open(spec?.Name ?? "", folder);
        var claims = store.Claims.All();
        var live = claims.Where(c => c.Live).Select(c => c.TrunkKey).ToHashSet(StringComparer.Ordinal);
        bool alive = folder.RunnerAlive;
        if (planned is null)
        {
            var current = store.CurrentSpec() ?? throw new IOException($"{folder.Root}: the store has no registered spec");
            spec = StudySpecReader.Parse(current.Yaml, current.SourcePath);
            var stored = store.LoadCells(current.CellKeys);
            return new StudyStatus(spec.Name, Live(stored, alive, live), store.AllCellKeys().Count - stored.Count, folder, spec.ReportMetric, claims);
        }
        var byKey = store.LoadCells(planned.Select(c => c.Key).ToList()).ToDictionary(c => c.Key);
        var cells = planned.Select(c => byKey.TryGetValue(c.Key, out var s) ? s : Unstarted(c)).ToList();
        return new StudyStatus(spec!.Name, Live(cells, alive, live), store.AllCellKeys().Count - byKey.Count, folder, spec.ReportMetric, claims);
    }

    /// <summary>Cells marked running by a runner that is gone become interrupted (stage as it was stored before the run
    /// began); cells of a trunk in <paramref name="liveTrunks"/> (held by a worker with a fresh heartbeat, on any machine) stay running.</summary>
    public static IReadOnlyList<StoredCell> Live(IReadOnlyList<StoredCell> cells, bool runnerAlive, IReadOnlySet<string>? liveTrunks = null) =>
        runnerAlive ? cells : cells.Select(c => liveTrunks?.Contains(c.TrunkKey) == true ? c : c.Stage switch
        {
            CellStage.Pretraining => c with { Stage = CellStage.Planned, Message = "interrupted: its `study run` is gone; a rerun continues it" },
            CellStage.Evaluating => c with { Stage = CellStage.Pretrained, Message = $"interrupted ({c.Message}): its `study run` is gone; a rerun continues it" },
            _ => c,
        }).ToList();

    private static StoredCell Unstarted(CellPlan c) => new(c.Key, c.TrunkKey, c.Model, c.Data.Label, c.Data.Fraction, c.Data.ImageCount,
        c.Parameters, c.SizeRank, c.Iterations, c.Seed, c.DecayStart, c.AttributedIterations, c.FlopsPerIteration, c.Evaluations, c.ConfigJson,
        CellStage.Planned, "not started", "", null, []);
}
