using MimScale.Study.Planning;
using MimScale.Training.Distributed;

namespace MimScale.Study.Execution;

/// <summary>What the runner asks of <see cref="IStudyExecutor.PretrainTrunk"/>: a trunk, its folders, and its finished cells.</summary>
/// <param name="Trunk">The trunk and all its branches (finished ones included, so the trunk's identity never changes).</param>
/// <param name="TrunkDir">The executor's folder for trunk checkpoints and snapshots (exists; empty on the first call).</param>
/// <param name="CellDirs">Folder of every cell by key (exists; holds the runner's config.json): logs, branch checkpoints,
/// reconstruction images.</param>
/// <param name="FinishedCells">Keys of cells whose result is already stored: do not train or report them again.</param>
public sealed record TrunkJob(TrunkGroup Trunk, string TrunkDir, IReadOnlyDictionary<string, string> CellDirs, IReadOnlySet<string> FinishedCells)
{
    /// <summary>The ranks that train this trunk together, data-parallel (a study worker under <c>mpiexec</c> / <c>srun</c>:
    /// every rank gets the same job, rank 0 writes the folders; default: this process alone).</summary>
    public ICollectives Ranks { get; init; } = SingleProcess.Instance;

    /// <summary>Cells still to report, ascending by length.</summary>
    public IReadOnlyList<CellPlan> PendingCells => Trunk.Cells.Where(c => !FinishedCells.Contains(c.Key)).ToList();

    /// <summary>How far the trunk must go: the latest branch point among pending cells (0 when none is pending).</summary>
    public long RequiredTrunkIterations => PendingCells.Select(c => c.DecayStart).DefaultIfEmpty(0).Max();

    /// <summary>Folder of <paramref name="cell"/>.</summary>
    public string CellDir(CellPlan cell) => CellDirs[cell.Key];
}
