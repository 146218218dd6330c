namespace MimScale.Analysis.Results;

/// <summary>
/// Names of the side studies (<see cref="RunResult.Arm"/>) that sit beside the main data-scaling grid, each with its
/// own table: the decoder size (paper Table 8) and the class subset against the class-balanced fraction of the same
/// size (paper Table 9 / Figure 6).
/// </summary>
public static class RunArms
{
    /// <summary>Runs that differ from a main-grid cell only by a heavier decoder.</summary>
    public const string Decoder = "decoder";

    /// <summary>Runs on all images of k classes (IN100-like), compared with the class-balanced fraction of the same size.</summary>
    public const string ClassSubset = "class_subset";

    /// <summary>
    /// The scratch reference of a model: no pre-training (0 iterations, no losses), every downstream evaluation from a
    /// seeded random initialisation; compared with each pre-trained cell of the same model ("Pre-trained minus scratch").
    /// </summary>
    public const string Scratch = "scratch";

    /// <summary>The decoder label of a run, "linear" when unset.</summary>
    public static string DecoderOf(RunResult run) => run.Decoder ?? "linear";

    /// <summary>Sort key of decoder labels: linear first, then transformer decoders by depth ("transformer-2" -> 2).</summary>
    public static int DecoderRank(string label)
    {
        if (label == "linear") return 0;
        int dash = label.LastIndexOf('-');
        return dash >= 0 && int.TryParse(label.AsSpan(dash + 1), out int depth) ? depth : int.MaxValue;
    }

    /// <summary>A run's data label with its arm variant, for per-run tables where arm runs would otherwise look like grid runs.</summary>
    public static string DataWithVariant(RunResult run) =>
        run.Arm == Decoder ? $"{run.DataLabel} [decoder {DecoderOf(run)}]" : run.DataLabel;
}
