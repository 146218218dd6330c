using System.Text.Json;
using MimScale.Cli;
using MimScale.Dense.Segmentation;
using MimScale.Tests.Data;

namespace MimScale.Tests.Dense.Segmentation;

/// <summary>
/// The fixed interface `mimscale segment evaluate --predictions DIR --labels DIR --classes N [--reduce-zero-label]
/// --output metrics.json`: numbers equal to a NumPy transcription of mmseg's IoUMetric (tests/fixtures/seg-png/eval),
/// and each bad input is one error line naming the file, exit 1.
/// </summary>
[Collection(ConsoleCollection.Name)]   // swaps Console.Error
public class SegmentEvaluateCliTests
{
    static (int Code, string Err) Run(params string[] args)
    {
        var err = new StringWriter();
        var old = Console.Error;
        Console.SetError(err);
        try { return (CliApp.Run(args), err.ToString()); }
        finally { Console.SetError(old); }
    }

    static void WriteMap(string path, int w, params ushort[] v)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        LabelMapPngWriter.Write(path, new LabelMap(w, v.Length / w, v));
    }

    [Fact]
    public void MatchesTheMmsegReferenceOnPaletteLabelsWithReduceZeroLabel()
    {
        string ev = Path.Combine(Fixtures.Dir("seg-png"), "eval");
        using var tmp = new TempFolder();
        string output = tmp["out/metrics.json"];
        var (code, err) = Run("segment", "evaluate", "--predictions", Path.Combine(ev, "pred"), "--labels", Path.Combine(ev, "label"),
            "--classes", "5", "--reduce-zero-label", "--output", output);
        Assert.True(code == 0, err);

        using var expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(ev, "expected_rzl.json")));
        using var actual = JsonDocument.Parse(File.ReadAllText(output));
        foreach (var key in new[] { "mIoU", "aAcc", "mAcc" })
            Assert.Equal(expected.RootElement.GetProperty(key).GetDouble(), actual.RootElement.GetProperty(key).GetDouble(), 10);
        foreach (var key in new[] { "IoU", "Acc", "area_intersect", "area_union", "area_pred_label", "area_label" })
        {
            var e = expected.RootElement.GetProperty(key).EnumerateArray().Select(v => v.GetDouble()).ToArray();
            var a = actual.RootElement.GetProperty(key).EnumerateArray().Select(v => v.GetDouble()).ToArray();
            Assert.Equal(5, a.Length);
            for (int c = 0; c < 5; c++) Assert.Equal(e[c], a[c], 10);
        }
        Assert.Equal(13.880802342666748, actual.RootElement.GetProperty("mIoU").GetDouble(), 10); // pinned from expected_rzl.json
        Assert.Equal(3, actual.RootElement.GetProperty("images").GetInt32());
    }

    [Fact]
    public void AbsentClassesAreNullInMetricsJson()
    {
        using var tmp = new TempFolder();
        WriteMap(tmp["p/a.png"], 3, 0, 1, 1, 1, 2, 0);
        WriteMap(tmp["l/a.png"], 3, 0, 0, 1, 1, 255, 2);
        Assert.Equal(0, Run("segment", "evaluate", "--predictions", tmp["p"], "--labels", tmp["l"], "--classes", "4", "--output", tmp["m.json"]).Code);
        using var doc = JsonDocument.Parse(File.ReadAllText(tmp["m.json"]));
        var iou = doc.RootElement.GetProperty("IoU").EnumerateArray().ToArray();
        Assert.Equal(JsonValueKind.Null, iou[3].ValueKind);
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("Acc")[3].ValueKind);
        Assert.Equal(100.0 / 3, doc.RootElement.GetProperty("mIoU").GetDouble(), 10);
        Assert.Equal(60, doc.RootElement.GetProperty("aAcc").GetDouble(), 10);
        Assert.Equal(50, doc.RootElement.GetProperty("mAcc").GetDouble(), 10);
    }

    [Fact]
    public void EachBadInputIsOneErrorLineNamingTheFile()
    {
        using var tmp = new TempFolder();
        WriteMap(tmp["p/a.png"], 2, 0, 1, 1, 0);
        WriteMap(tmp["l/a.png"], 2, 0, 1, 1, 255);

        void Expect(string file, string problem, bool reduce = false)
        {
            var args = new List<string> { "segment", "evaluate", "--predictions", tmp["p"], "--labels", tmp["l"], "--classes", "2", "--output", tmp["m.json"] };
            if (reduce) args.Add("--reduce-zero-label");
            var (code, err) = Run(args.ToArray());
            Assert.Equal(1, code);
            var lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var line = Assert.Single(lines, l => l.StartsWith("error: ", StringComparison.Ordinal));
            Assert.StartsWith("error: " + file + ": ", line);
            Assert.Contains(problem, line);
        }

        WriteMap(tmp["p/b.png"], 3, 0, 0, 0);             // prediction without a label
        Expect(tmp["l/b.png"], "missing label for prediction");
        WriteMap(tmp["l/b.png"], 2, 0, 0, 0, 0);          // now present, but the prediction is 3x1 vs 2x2
        Expect(tmp["p/b.png"], "prediction is 3x1 but the label");
        File.Delete(tmp["p/b.png"]);                      // label without a prediction
        Expect(tmp["p/b.png"], "missing prediction for label");
        WriteMap(tmp["p/b.png"], 2, 0, 2, 0, 0);          // class id 2 with --classes 2
        Expect(tmp["p/b.png"], "class id 2 at (x=1, y=0) is outside 0..1");
        WriteMap(tmp["p/b.png"], 2, 0, 1, 0, 0);
        WriteMap(tmp["l/b.png"], 2, 0, 0, 9, 0);          // label id 9 is neither a class nor 255
        Expect(tmp["l/b.png"], "class id 9 at (x=0, y=1) is outside 0..1 and not the ignore id 255");
        WriteMap(tmp["l/b.png"], 2, 0, 0, 2, 0);          // with --reduce-zero-label raw 2 is class 1: valid
        Assert.Equal(0, Run("segment", "evaluate", "--predictions", tmp["p"], "--labels", tmp["l"], "--classes", "2", "--reduce-zero-label", "--output", tmp["m.json"]).Code);
        WriteMap(tmp["l/b.png"], 2, 0, 0, 3, 0);
        Expect(tmp["l/b.png"], "class id 3 at (x=0, y=1) is outside 0..2", reduce: true);
    }
}
