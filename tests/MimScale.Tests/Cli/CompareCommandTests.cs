using MimScale.Cli.Commands;
using MimScale.Tests.Data;

namespace MimScale.Tests.Cli;

/// <summary>`mimscale compare` reads run folders as the engines write them and names the file when one is wrong.</summary>
public class CompareCommandTests
{
    static string Run(TempFolder tmp, string name, string metrics, string? result = null)
    {
        string dir = tmp[name];
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "metrics.jsonl"), metrics);
        if (result is not null) File.WriteAllText(Path.Combine(dir, "result.json"), result);
        return dir;
    }

    [Fact]
    public void ComparesFineTuningRunsOnTop1ByDefault()
    {
        using var tmp = new TempFolder();
        var pre = Run(tmp, "pre", """
            {"step":5,"kind":"train","train_loss":1.2}
            {"step":10,"kind":"val","top1":0.8125,"val_loss":0.5,"epoch":1}
            {"step":20,"kind":"val","top1":0.875,"val_loss":0.4,"epoch":2}
            """, """{"wall_seconds": 12.4}""");
        var scratch = Run(tmp, "scratch", """
            {"step":10,"kind":"val","top1":0.75,"val_loss":0.6,"epoch":1}
            {"step":20,"kind":"val","top1":0.8,"val_loss":0.5,"epoch":2}
            """);
        string text = CompareCommand.Render(new[] { pre, scratch });
        Assert.Contains("top1 (%) per evaluation", text);
        Assert.Matches(@"20\s+2\s+87\.50\s+80\.00\s+\+7\.50", text);
        Assert.Contains("best pre - best scratch = +7.50; last - last = +7.50", text);
        Assert.Matches(@"pre\s+87\.50\s+20\s+87\.50\s+20\s+12", text);

        string md = CompareCommand.Render(new[] { pre, scratch }, "val_loss", markdown: true);
        Assert.Contains("| 10 | 1 | 0.5000 | 0.6000 | -0.1000 |", md);
    }

    [Fact]
    public void BadRunFoldersAreNamed()
    {
        using var tmp = new TempFolder();
        var pretrain = Run(tmp, "pretrain", "{\"step\":250,\"kind\":\"val\",\"val_loss\":0.47}\n");
        Assert.Contains("val_loss", CompareCommand.Render(new[] { pretrain })); // the default for pre-training runs

        var missing = Assert.Throws<FileNotFoundException>(() => CompareCommand.Render(new[] { tmp["nope"] }));
        Assert.Contains(Path.Combine(tmp["nope"], "metrics.jsonl"), missing.Message);
        var noMetric = Assert.Throws<InvalidDataException>(() => CompareCommand.Render(new[] { pretrain }, "top1"));
        Assert.Contains("has no evaluation of 'top1'; it records: val_loss", noMetric.Message);
        var torn = Run(tmp, "torn", "{\"step\":1,\"kind\":\"val\",\"top1\":");
        var bad = Assert.Throws<InvalidDataException>(() => CompareCommand.Render(new[] { torn }));
        Assert.Contains(Path.Combine(torn, "metrics.jsonl"), bad.Message);
    }
}
