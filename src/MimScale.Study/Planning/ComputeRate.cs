namespace MimScale.Study.Planning;

/// <summary>
/// How fast this machine pre-trains, for turning planned compute into hours: either an assumed sustained GFLOP/s
/// (SimMIM training FLOPs as counted by <c>ModelCost.SimMimTrainingFlops</c>) or measured seconds per image per model
/// (<see cref="ThroughputProbe"/>). Validation-loss passes and evaluations are not included.
/// </summary>
/// <param name="AssumedGflops">Sustained GFLOP/s used when a model was not measured.</param>
/// <param name="MeasuredSecondsPerImage">Seconds per training image by zoo name, from <c>--measure</c>.</param>
public sealed record ComputeRate(double AssumedGflops, IReadOnlyDictionary<string, double>? MeasuredSecondsPerImage = null)
{
    /// <summary>
    /// Default assumption: 2 GFLOP/s. Measured with `mimscale bench train` on this project's 2-core CPU machine (Debug
    /// build, batch 64): swinv2-pico 0.9, swinv2-nano 3.4 GFLOP/s; small models are overhead-bound, so use --measure.
    /// </summary>
    public const double DefaultGflops = 2.0;

    /// <summary>Estimated wall hours of a trunk group's pre-training.</summary>
    public double Hours(TrunkGroup trunk) =>
        MeasuredSecondsPerImage is not null && MeasuredSecondsPerImage.TryGetValue(trunk.Model, out var spi)
            ? trunk.TotalIterations * (double)trunk.Config.TotalBatch * spi / 3600
            : trunk.TotalFlops / (AssumedGflops * 1e9) / 3600;

    /// <summary>How the hours were obtained, for the plan printout.</summary>
    public string Describe() => MeasuredSecondsPerImage is null
        ? $"hours assume a sustained {AssumedGflops:0.###} GFLOP/s of SimMIM training FLOPs (pass --measure for a quick benchmark, or --gflops)"
        : "hours from a quick measured benchmark (" + string.Join(", ", MeasuredSecondsPerImage.Select(kv => $"{kv.Key} {1000 * kv.Value:0.###} ms/image")) + ")";
}
