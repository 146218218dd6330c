
using MimScale.Analysis.Results;
using MimScale.Study.Planning;
using MimScale.Study.Store;

namespace MimScale.Study.Running;

/// <summary>
/// Builds the analysis input (<see cref="StudyResults"/>) from stored cells. Only pre-trained cells become runs.
/// Compute per run is what was actually spent: FLOPs = <see cref="CellPlan.AttributedIterations"/> x FLOPs per
/// iteration, and wall seconds = the same share of the trunk's measured time plus the cell's own decay phase, so
/// the report's totals equal the study's real cost (not the cost of training every length separately). A scratch
/// reference (stored with an empty pre-training) becomes a run of 0 iterations in the arm <see cref="RunArms.Scratch"/>.
/// </summary>
public static class StudyResultsBuilder
{
    /// <summary>Runs of the pre-trained cells among <paramref name="cells"/>, in their order, with their side-study arm (<see cref="CellArm"/>).</summary>
    public static StudyResults Build(string name, IReadOnlyList<StoredCell> cells)
    {
        var seconds = AttributedWallSeconds(cells);
        var runs = new List<RunResult>();
        foreach (var c in cells.Where(c => c.Run is not null))
        {
            var arm = CellArm.Of(c.ConfigJson);   // side-study arm and decoder, from the resolved config
            runs.Add(new RunResult(c.Model, c.DataLabel, c.Iterations)
            {
                Parameters = c.Parameters,
                SizeRank = c.SizeRank,
                DataFraction = c.DataFraction,
                ImageCount = c.ImageCount,
                Seed = c.Seed,
                FinalTrainLoss = c.Run!.FinalTrainLoss,
                FinalValLoss = c.Run.FinalValLoss,
                Metrics = c.Metrics,
                Curve = c.Run.Curve,
                // A scratch reference pre-trained nothing: no compute row (its evaluations are not pre-training compute).
                Compute = arm.Arm == RunArms.Scratch ? null : new RunCompute(c.FlopsPerIteration * c.AttributedIterations, seconds[c.Key], c.Run.Device),
                ReconstructionImages = c.Run.ReconstructionImages,
                RunId = c.Key,
                Arm = arm.Arm,
                Decoder = arm.Decoder,
                ClassCount = arm.ClassCount,
            });
        }
        return new StudyResults(name, runs);
    }

    /// <summary>
    /// Wall seconds per pre-trained cell: rate x attributed trunk iterations + own decay seconds, where the trunk's rate
    /// (seconds per trunk iteration) comes from the finished cell of the trunk with the latest branch point.
    /// </summary>
    public static IReadOnlyDictionary<string, double> AttributedWallSeconds(IReadOnlyList<StoredCell> cells)
    {
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var trunk in cells.Where(c => c.Run is not null).GroupBy(c => c.TrunkKey))
        {
            var reference = trunk.Where(c => c.DecayStart > 0).MaxBy(c => c.DecayStart);
            double rate = reference is null ? 0 : reference.Run!.TrunkSeconds / reference.DecayStart;
            foreach (var c in trunk)
            {
                double trunkShare = c.AttributedIterations - (c.Iterations - c.DecayStart);
                result[c.Key] = rate * trunkShare + c.Run!.DecaySeconds;
            }
        }
        return result;
    }
}
