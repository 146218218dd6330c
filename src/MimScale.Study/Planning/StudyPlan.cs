using MimScale.Study.Spec;

namespace MimScale.Study.Planning;

/// <summary>What a study will run, before anything runs: its trunks and cells with keys and compute.</summary>
/// <param name="Spec">The spec planned.</param>
/// <param name="Trunks">Trunk groups in run order (spec order of models, data variants, seeds).</param>
/// <param name="Version">MimScale version hashed into every key.</param>
/// <param name="DataResolved">True when manifest hashes are known (the source was read).</param>
public sealed record StudyPlan(StudySpec Spec, IReadOnlyList<TrunkGroup> Trunks, string Version, bool DataResolved)
{
    /// <summary>All cells in run order.</summary>
    public IReadOnlyList<CellPlan> Cells => Trunks.SelectMany(t => t.Cells).ToList();

    /// <summary>Iterations actually run (shared trunks).</summary>
    public long TotalIterations => Trunks.Sum(t => t.TotalIterations);

    /// <summary>Iterations without sharing.</summary>
    public long UnsharedIterations => Trunks.Sum(t => t.UnsharedIterations);

    /// <summary>Pre-training FLOPs actually run.</summary>
    public double TotalFlops => Trunks.Sum(t => t.TotalFlops);

    /// <summary>The cell with that key, or null.</summary>
    public CellPlan? Cell(string key) => Cells.FirstOrDefault(c => c.Key == key);
}
