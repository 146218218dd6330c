using System.Text.Json;
using System.Text.Json.Serialization;

namespace MimScale.Training.Runs;

/// <summary>
/// Everything besides tensors that a resumed run needs to continue exactly: how far it got, where the data stream
/// stands, the stochastic-depth generator, the fault counters and the config it belongs to.
/// </summary>
public sealed record TrainingState
{
    /// <summary>Iterations completed (the next one to run has this index).</summary>
    public long Step { get; init; }
    public long OptimizerSteps { get; init; }
    public int LoaderEpoch { get; init; }
    public int LoaderBatch { get; init; }
    /// <summary>torch.Generator state of the drop-path stream, base64.</summary>
    public string DropPathGenerator { get; init; } = "";
    public int NonFiniteInARow { get; init; }
    public long NonFiniteTotal { get; init; }
    /// <summary>Hash of the resolved config: a checkpoint only resumes the run it was written by.</summary>
    public string ConfigHash { get; init; } = "";
    public double ElapsedSeconds { get; init; }
    /// <summary>Running sum and count of training losses since the last log line (so resumed logs are identical).</summary>
    public double IntervalLossSum { get; init; }
    public int IntervalCount { get; init; }

    static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
    public string ToJson() => JsonSerializer.Serialize(this, Json);
    public static TrainingState FromJson(string json, string source) =>
        JsonSerializer.Deserialize<TrainingState>(json, Json) ?? throw new InvalidDataException($"{source}: empty training state");
}
