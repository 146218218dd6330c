namespace MimScale.Study;

/// <summary>
/// Runs of one model, data subset, seed and recipe that differ only in length (SPEC §4.2 "shared first step"): the
/// trunk trains once at the base learning rate up to 7/8 of the longest length, keeping a snapshot at 7/8 x T of every
/// length T; each length branches from its snapshot into its T/8 iterations at 0.1x. For 125K/250K/500K that is
/// 437,500 + 15,625 + 31,250 + 62,500 = 546,875 iterations instead of 875,000.
/// </summary>
/// <param name="Key">Trunk key (model, data, seed, recipe, lengths, version); names the trunk folder.</param>
/// <param name="Model">Zoo name.</param>
/// <param name="Data">Resolved data.</param>
/// <param name="Seed">Seed shared by all branches (same init, data order and masks up to each branch point).</param>
/// <param name="Pretrain">Pre-training recipe.</param>
/// <param name="Cells">The branches, ascending by length (so ascending by <see cref="CellPlan.DecayStart"/>).</param>
public sealed record TrunkPlan(string Key, string Model, DataPlan Data, int Seed, RecipeMap Pretrain, IReadOnlyList<CellPlan> Cells)
{
    /// <summary>Iterations of the shared part: 7/8 of the longest length.</summary>
    public long TrunkIterations => Cells[^1].DecayStart;

    /// <summary>Iterations at which the trunk must keep a snapshot (each branch's start), ascending.</summary>
    public IReadOnlyList<long> SnapshotIterations => Cells.Select(c => c.DecayStart).Distinct().Order().ToList();

    /// <summary>Iterations actually run: trunk plus every branch's decay phase.</summary>
    public long TotalIterations => TrunkIterations + Cells.Sum(c => c.DecayIterations);

    /// <summary>Iterations if every length were trained separately.</summary>
    public long UnsharedIterations => Cells.Sum(c => c.Iterations);

    /// <summary>FLOPs actually run.</summary>
    public double TotalFlops => Cells[0].FlopsPerIteration * TotalIterations;

    /// <summary>"swinv2-pico / Fashion-MNIST 10% / seed 0".</summary>
    public string Describe() => $"{Model} / {Data.Label} / seed {Seed}";
}
