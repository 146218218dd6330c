using System.Text.Json;
using System.Text.Json.Serialization;
using MimScale.Analysis.Results;
using MimScale.Files;

namespace MimScale.Analysis.Io;

/// <summary>
/// Lossless JSON form of <see cref="StudyResults"/> (curves, compute and image paths included), for the study runner to
/// hand its results to the analysis: <c>{"name": ..., "runs": [{"model": ..., "dataLabel": ..., "iterations": ..., ...}]}</c>.
/// Property names are camelCase versions of the record members; null members are omitted.
/// </summary>
public static class StudyResultsJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        PropertyNameCaseInsensitive = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
    };

    /// <summary>Serialises <paramref name="results"/> to a JSON string.</summary>
    public static string Serialize(StudyResults results) => JsonSerializer.Serialize(results, Options);

    /// <summary>Writes <paramref name="results"/> to <paramref name="path"/> atomically.</summary>
    public static void Save(StudyResults results, string path) => AtomicFile.WriteAllText(path, Serialize(results));

    /// <summary>Reads a file written by <see cref="Save"/>.</summary>
    /// <exception cref="ResultTableException">Missing file or malformed JSON (with line and JSON path).</exception>
    public static StudyResults Load(string path)
    {
        if (!File.Exists(path)) throw new ResultTableException(path, 0, null, "file not found");
        try
        {
            var results = JsonSerializer.Deserialize<StudyResults>(File.ReadAllText(path), Options)
                ?? throw new ResultTableException(path, 0, null, "the file holds JSON null, not a study");
            if (results.Runs is null || results.Runs.Count == 0) throw new ResultTableException(path, 0, null, "the study has no runs");
            // A scratch reference pre-trained for 0 iterations; every other run for at least 1.
            var bad = results.Runs.Select((r, i) => (r, i)).FirstOrDefault(x => string.IsNullOrEmpty(x.r.Model) || string.IsNullOrEmpty(x.r.DataLabel)
                                                                               || x.r.Iterations < (x.r.Arm == RunArms.Scratch ? 0 : 1));
            if (bad.r is not null) throw new ResultTableException(path, 0, $"runs[{bad.i}]", "needs a model, a dataLabel and iterations >= 1 (0 for a scratch reference)");
            return results;
        }
        catch (JsonException e)
        {
            throw new ResultTableException(path, (int)(e.LineNumber ?? -1) + 1, e.Path, "invalid JSON: " + e.Message);
        }
    }
}
