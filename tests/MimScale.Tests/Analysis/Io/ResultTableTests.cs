
using MimScale.Analysis.Io;
using MimScale.Analysis.Results;

namespace MimScale.Tests.Analysis.Io;

public class ResultTableTests : IDisposable
{
    private readonly TempFolder tmp = new();
    private int files;

    public void Dispose() => tmp.Dispose();

    private string Write(string text)
    {
        var path = Path.Combine(tmp.Path, $"runs{files++}.csv");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void BadNumberNamesFileLineAndColumn()
    {
        var path = Write("model,pretrain_data,iterations,val_loss\nS,IN1K,100,0.5\nS,IN1K,200,abc\n");
        var e = Assert.Throws<ResultTableException>(() => ResultTable.ReadCsv(path));
        Assert.Equal(3, e.Line);
        Assert.Equal("val_loss", e.Column);
        Assert.StartsWith($"{path}:3: column 'val_loss':", e.Message);
        Assert.Contains("'abc' is not a finite number", e.Message);
    }

    [Fact]
    public void MissingRequiredColumnAndWrongFieldCountAreReported()
    {
        var noIterations = Write("model,pretrain_data,val_loss\nS,IN1K,0.5\n");
        var e1 = Assert.Throws<ResultTableException>(() => ResultTable.ReadCsv(noIterations));
        Assert.Equal(("iterations", 1), (e1.Column, e1.Line));
        Assert.Contains(noIterations, e1.Message);

        var shortRow = Write("# comment line\nmodel,pretrain_data,iterations\nS,IN1K,100\n\nS,IN1K\n");
        var e2 = Assert.Throws<ResultTableException>(() => ResultTable.ReadCsv(shortRow));
        Assert.Equal(5, e2.Line); // comment and blank lines count
        Assert.Contains("expected 3 comma-separated fields", e2.Message);

        var badFraction = Write("model,data_fraction,iterations\nS,1.5,100\n");
        var e3 = Assert.Throws<ResultTableException>(() => ResultTable.ReadCsv(badFraction));
        Assert.Equal(("data_fraction", 2), (e3.Column, e3.Line));
    }

    [Fact]
    public void CustomColumnsQuotedFieldsAndFractionOnlyLabels()
    {
        var path = Write("arch,frac,steps,loss,acc,seed\n\"Swin, tiny\",0.25,125K,0.61,71.5,3\n");
        var options = new ResultTableOptions
        {
            ModelColumn = "arch", DataLabelColumn = null, DataFractionColumn = "frac", IterationsColumn = "steps",
            ValLossColumn = "loss", MetricColumns = ["acc"], StudyName = "custom",
        };
        var study = ResultTable.ReadCsv(path, options);
        var run = Assert.Single(study.Runs);
        Assert.Equal("custom", study.Name);
        Assert.Equal(("Swin, tiny", "25%", 125000L, 3), (run.Model, run.DataLabel, run.Iterations, run.Seed));
        Assert.Equal(0.61, run.FinalValLoss);
        Assert.Equal(71.5, run.Metric("acc"));
        Assert.Equal(320_292L, run.ImageCount); // 0.25 x 1,281,167 = 320,291.75
    }

    [Fact]
    public void WriteCsvRoundTrips()
    {
        var hub = AnalysisTestData.Modelhub();
        using var tmp = new TempFolder();
        var path = Path.Combine(tmp.Path, "copy.csv");
        ResultTable.WriteCsv(hub, path);
        var back = ResultTable.ReadCsv(path);
        Assert.Equal(hub.Runs.Count, back.Runs.Count);
        for (int i = 0; i < hub.Runs.Count; i++)
        {
            var (a, b) = (hub.Runs[i], back.Runs[i]);
            Assert.Equal((a.Model, a.DataLabel, a.Iterations, a.Parameters, a.ImageCount, a.FinalValLoss, a.Metric("finetune_top1")),
                (b.Model, b.DataLabel, b.Iterations, b.Parameters, b.ImageCount, b.FinalValLoss, b.Metric("finetune_top1")));
        }
    }
}

public class StudyResultsJsonTests
{
    [Fact]
    public void JsonRoundTripKeepsCurvesComputeAndImages()
    {
        var run = AnalysisTestData.Run("B", "small", 300, 0.47, 70.5, 0.6) with
        {
            Seed = 7,
            ImageCount = 6000,
            Curve = [new(100, 0.9, null), new(300, 0.6, 0.47)],
            Compute = new RunCompute(1.5e15, 3600.5),
            ReconstructionImages = ["recon/a.png"],
        };
        using var tmp = new TempFolder();
        var path = Path.Combine(tmp.Path, "results.json");
        StudyResultsJson.Save(new StudyResults("json", [run]), path);
        var back = StudyResultsJson.Load(path).Runs.Single();
        Assert.Equal((run.Model, run.DataLabel, run.Iterations, run.Seed, run.Parameters, run.DataFraction, run.ImageCount),
            (back.Model, back.DataLabel, back.Iterations, back.Seed, back.Parameters, back.DataFraction, back.ImageCount));
        Assert.Equal((0.47, 0.6, 70.5), (back.FinalValLoss, back.FinalTrainLoss, back.Metric("finetune_top1")));
        Assert.Equal(run.Curve, back.Curve);
        Assert.Equal(run.Compute, back.Compute);
        Assert.Equal(["recon/a.png"], back.ReconstructionImages);
    }

    [Fact]
    public void MalformedJsonNamesTheFileAndLine()
    {
        using var tmp = new TempFolder();
        var path = Path.Combine(tmp.Path, "bad.json");
        File.WriteAllText(path, "{\n  \"name\": \"x\",\n  \"runs\": [ { \"model\": \"A\", \"iterations\": \"many\" } ]\n}\n");
        var e = Assert.Throws<ResultTableException>(() => StudyResultsJson.Load(path));
        Assert.StartsWith(path + ":3:", e.Message);
    }
}
