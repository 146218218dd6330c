
using MimScale.Analysis.Io;
using MimScale.Analysis.Results;

namespace MimScale.Tests.Analysis;

/// <summary>Shared inputs: the model-hub table and small constructed studies.</summary>
internal static class AnalysisTestData
{
    /// <summary>data/modelhub-simmim-swinv2.csv, found by walking up from the test binary folder.</summary>
    public static string ModelhubCsv => Fixtures.RepoFile(Path.Combine("data", "modelhub-simmim-swinv2.csv"));

    public static StudyResults Modelhub() => ResultTable.ReadCsv(ModelhubCsv);

    /// <summary>A run of model A (10 params) or B (100 params) on "small" (10%) or "large" (100%) data.</summary>
    public static RunResult Run(string model, string data, long iterations, double? val, double? metric = null, double? train = null) =>
        new(model, data, iterations)
        {
            Parameters = model switch { "A" => 10, "B" => 100, _ => 1000 },
            DataFraction = data switch { "small" => 0.1, "large" => 1.0, _ => 0.5 },
            FinalValLoss = val,
            FinalTrainLoss = train,
            Metrics = metric is { } m ? new Dictionary<string, double> { ["finetune_top1"] = m } : new Dictionary<string, double>(),
        };

    public static StudyResults Study(params RunResult[] runs) => new("constructed", runs);

}

/// <summary>A fresh temporary folder, deleted on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mimscale-analysis-" + Guid.NewGuid().ToString("N"));

    public TempFolder() => Directory.CreateDirectory(Path);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } // best effort: a leftover temp folder is harmless
    }
}
