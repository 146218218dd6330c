using System.Diagnostics;
using System.Text.Json;
using MimScale.Dense.Coco;

namespace MimScale.Tests.Dense.Coco;

/// <summary>
/// The fixed interface `mimscale detect evaluate --annotations GT.json --results DT.json --iou-type bbox|segm
/// --output stats.json`, run as a user runs it (a separate process, so stdout and stderr are exactly what it prints).
/// </summary>
public class DetectEvaluateCommandTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("mimscale-detect-").FullName;
    public void Dispose() => Directory.Delete(dir, recursive: true);

    static (int Code, string Out, string Err) Mimscale(params string[] args)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "mimscale.dll");
        string host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH")
                      ?? (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath! : "dotnet");
        var psi = new ProcessStartInfo(host)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        psi.ArgumentList.Add(dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"mimscale {string.Join(' ', args)} did not finish in 5 minutes");
        }
        p.WaitForExit(); // drains the redirected output
        return (p.ExitCode, stdout.Result, err.Result);
    }

    [Theory]
    [InlineData("random_segm_with_boxes", "segm")]
    [InlineData("random", "bbox")]
    public void WritesTheTwelveNumbersAndPrintsPycocotoolsSummary(string name, string type)
    {
        var c = CocoFixture.Expected.GetProperty(name);
        string output = Path.Combine(dir, "out", "stats.json");
        var (code, stdout, stderr) = Mimscale("detect", "evaluate",
            "--annotations", CocoFixture.PathOf(c.GetProperty("gt").GetString()!),
            "--results", CocoFixture.PathOf(c.GetProperty("dt").GetString()!), "--iou-type", type, "--output", output);
        Assert.True(code == 0, stderr);
        Assert.Equal("", stderr);
        var expected = c.GetProperty(type);
        Assert.Equal(expected.GetProperty("lines").EnumerateArray().Select(l => l.GetString()),
                     stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        var json = JsonDocument.Parse(File.ReadAllText(output)).RootElement;
        Assert.Equal(CocoStats.Keys, json.EnumerateObject().Select(p => p.Name));
        var want = CocoFixture.Doubles(expected.GetProperty("stats"));
        for (int i = 0; i < 12; i++)
            Assert.True(Math.Abs(want[i] - json.GetProperty(CocoStats.Keys[i]).GetDouble()) < 1e-12, CocoStats.Keys[i]);
        Assert.Equal(want, CocoStats.ReadJson(output).ToArray(), (a, b) => Math.Abs(a - b) < 1e-12);
    }

    [Fact]
    public void BadInputIsOneErrorLineNamingTheFileOrEntry()
    {
        string gt = CocoFixture.PathOf("hand/perfect_gt.json");
        string broken = Path.Combine(dir, "broken.json");
        File.WriteAllText(broken, "[{\"image_id\": 1, \"category_id\": 1, \"bbox\": [1, 2, 3, 4], \"score\": 0.5,}]");
        var (code, stdout, stderr) = Mimscale("detect", "evaluate", "--annotations", gt, "--results", broken,
                                              "--iou-type", "bbox", "--output", Path.Combine(dir, "s.json"));
        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith($"error: {broken}: malformed JSON at line 1, byte ", lines[0]);

        string unknown = Path.Combine(dir, "unknown.json");
        File.WriteAllText(unknown, """[{"image_id": 1, "category_id": 1, "bbox": [1, 2, 3, 4], "score": 0.5}, {"image_id": 77, "category_id": 1, "bbox": [1, 2, 3, 4], "score": 0.5}]""");
        (code, _, stderr) = Mimscale("detect", "evaluate", "--annotations", gt, "--results", unknown,
                                     "--iou-type", "segm", "--output", Path.Combine(dir, "s.json"));
        Assert.Equal(1, code);
        Assert.Equal($"error: {unknown}: results[1]: image_id 77 is not in the ground truth's images", stderr.TrimEnd('\n'));
        Assert.False(File.Exists(Path.Combine(dir, "s.json")));

        (code, _, stderr) = Mimscale("detect", "evaluate", "--annotations", Path.Combine(dir, "none.json"), "--results", unknown,
                                     "--iou-type", "bbox", "--output", Path.Combine(dir, "s.json"));
        Assert.Equal(1, code);
        Assert.Contains("none.json", stderr);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
