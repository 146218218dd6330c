using MimScale.Study.Spec;

namespace MimScale.Study.Planning;

/// <summary>
/// One cell of the grid (model x data x length x seed) with its place in its trunk. Its <see cref="Key"/> is derived
/// from the hash of the resolved config (<see cref="ConfigJson"/>), so an edited spec yields new keys and never mixes with
/// results of the old one.
/// </summary>
/// <param name="Key">Store and folder key: <c>MODEL-SLUG-T-sSEED-HASH10</c>, e.g. <c>swinv2-pico-f0.1-400-s0-1a2b3c4d5e</c>.</param>
/// <param name="ConfigHash">SHA-256 (hex) of the canonical resolved config.</param>
/// <param name="TrunkKey">Key of the trunk this cell branches from.</param>
/// <param name="Model">Zoo name.</param>
/// <param name="Data">Resolved data.</param>
/// <param name="Iterations">Training length T.</param>
/// <param name="Seed">Run seed.</param>
/// <param name="Pretrain">Pre-training recipe (the spec's map, unchanged).</param>
/// <param name="Evaluations">Downstream evaluations to run after pre-training (val loss is always part of pre-training).</param>
/// <param name="EvaluationRecipes">Recipe of each evaluation in <see cref="Evaluations"/>.</param>
/// <param name="DecayStart">Iteration where this cell leaves the trunk: the engine's branch point of T (7/8 T by default). Iterations [0, DecayStart) run at the
/// base learning rate (after warm-up), [DecayStart, T) at 0.1x.</param>
/// <param name="FlopsPerIteration">Training FLOPs of one iteration (per-image SimMIM training FLOPs x batch).</param>
/// <param name="AttributedIterations">This cell's share of the iterations actually run: its own decay phase plus an
/// equal share of every trunk segment it uses. Summed over a trunk this equals the trunk's total iterations.</param>
/// <param name="Parameters">Backbone parameters of the model.</param>
/// <param name="SizeRank">Position of the model in the spec's model list sorted by parameters (0 = smallest).</param>
/// <param name="ConfigJson">The canonical resolved config that was hashed (written to the cell folder).</param>
public sealed record CellPlan(
    string Key,
    string ConfigHash,
    string TrunkKey,
    string Model,
    DataPlan Data,
    long Iterations,
    int Seed,
    RecipeMap Pretrain,
    IReadOnlyList<string> Evaluations,
    IReadOnlyDictionary<string, RecipeMap> EvaluationRecipes,
    long DecayStart,
    double FlopsPerIteration,
    double AttributedIterations,
    long Parameters,
    int SizeRank,
    string ConfigJson)
{
    /// <summary>The decoder of a decoder-arm cell (paper Table 8), or null for a cell of the main grid.</summary>
    public DecoderVariant? Decoder { get; init; }

    /// <summary>
    /// True for a scratch reference (<c>scratch_reference</c>): no pre-training (zero iterations), every evaluation from
    /// a random initialisation of <see cref="Model"/> seeded with <see cref="Seed"/>. Kept out of the grid and findings.
    /// </summary>
    public bool Scratch { get; init; }

    /// <summary>Iterations at 0.1x the base learning rate: T/8.</summary>
    public long DecayIterations => Iterations - DecayStart;

    /// <summary>FLOPs of this run were it trained alone (T iterations).</summary>
    public double StandaloneFlops => FlopsPerIteration * Iterations;

    /// <summary>FLOPs actually spent for this run with the shared trunk (<see cref="AttributedIterations"/>).</summary>
    public double AttributedFlops => FlopsPerIteration * AttributedIterations;

    /// <summary>"swinv2-pico / Fashion-MNIST 10% / 400 / seed 0" (decoder-arm cells add " / decoder transformer-2";
    /// a scratch reference reads "swinv2-pico / scratch (no pre-training) / 0 / seed 0").</summary>
    public string Describe() => $"{Model} / {Data.Label} / {Iterations} / seed {Seed}" + (Decoder is { } d ? $" / decoder {d.Label}" : "");
}
