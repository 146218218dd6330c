using MimScale.Study.Spec;
using MimScale.Training.Pretraining;

namespace MimScale.Study.Planning;

/// <summary>
/// Cells of one model, data subset, seed and recipe that differ only in length, trained as one shared trunk
/// (SPEC §4.2). The arithmetic of the trunk is the engine's: <see cref="Config"/> is the typed engine config the trunk
/// trains with (parsed at plan time) and <see cref="Schedule"/> the engine's <see cref="TrunkPlan"/>, whose branch
/// points follow the config's <c>decay_fraction</c>. For 125K/250K/500K at 7/8 that is 437,500 + 15,625 + 31,250 +
/// 62,500 = 546,875 iterations instead of 875,000.
/// </summary>
/// <param name="Key">Trunk key (model, data, seed, recipe, lengths, version); names the trunk folder.</param>
/// <param name="Model">Zoo name.</param>
/// <param name="Data">Resolved data.</param>
/// <param name="Seed">Seed shared by all branches (same init, data order and masks up to each branch point).</param>
/// <param name="Config">The engine config of the trunk (iterations = the longest length).</param>
/// <param name="Schedule">The engine's plan of the trunk: lengths and branch points.</param>
/// <param name="Cells">The branches, ascending by length (so ascending by <see cref="CellPlan.DecayStart"/>).</param>
public sealed record TrunkGroup(string Key, string Model, DataPlan Data, int Seed, PretrainConfig Config, TrunkPlan Schedule,
    IReadOnlyList<CellPlan> Cells)
{
    /// <summary>The decoder of a decoder-arm trunk, or null for the main grid.</summary>
    public DecoderVariant? Decoder { get; init; }

    /// <summary>
    /// True for a scratch reference: nothing is pre-trained. Its one cell has zero iterations (<see cref="Schedule"/>
    /// holds the single length 0, so every iteration count and FLOP total of the group is 0); <see cref="Config"/> is
    /// its model's engine config, never trained. The runner records the empty pre-training itself and runs the
    /// evaluations as for any cell (<see cref="CellPlan.Scratch"/>).
    /// </summary>
    public bool Scratch { get; init; }

    /// <summary>Iterations of the shared part: the branch point of the longest length.</summary>
    public long TrunkIterations => Schedule.TrunkIterations;

    /// <summary>Iterations at which the trunk must keep a snapshot (each branch's start), ascending.</summary>
    public IReadOnlyList<long> SnapshotIterations => Schedule.Lengths.Select(Schedule.BranchPoint).Distinct().Order().ToList();

    /// <summary>Iterations actually run: trunk plus every branch's decay phase.</summary>
    public long TotalIterations => Schedule.TotalIterations;

    /// <summary>Iterations if every length were trained separately.</summary>
    public long UnsharedIterations => Schedule.IndependentIterations;

    /// <summary>FLOPs actually run.</summary>
    public double TotalFlops => Cells[0].FlopsPerIteration * TotalIterations;

    /// <summary>"swinv2-pico / Fashion-MNIST 10% / seed 0".</summary>
    public string Describe() => $"{Model} / {Data.Label} / seed {Seed}" + (Decoder is { } d ? $" / decoder {d.Label}" : "");
}
