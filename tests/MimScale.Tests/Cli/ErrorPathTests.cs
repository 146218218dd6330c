namespace MimScale.Tests.Cli;

/// <summary>The one error path: every command, given a bad argument, prints one line and no stack trace, and exits non-zero.</summary>
[Collection(ConsoleCollection.Name)]
public class ErrorPathTests
{
    private const string Missing = "/nonexistent/mimscale-test";

    public static TheoryData<string[]> BadInvocations => new()
    {
        new[] { "inspect", Missing + ".pth" },
        new[] { "pretrain", "--config", Missing + ".yaml" },
        new[] { "pretrain", "--resume", Missing },
        new[] { "finetune", "--config", Missing + ".yaml" },
        new[] { "evaluate", "--checkpoint", Missing },
        new[] { "compare", Missing + "-a", Missing + "-b" },
        new[] { "predict", "--model", Missing + ".json", "--checkpoint", Missing + ".pth", "--images", Missing, "--output", Missing + ".csv" },
        new[] { "reconstruct", "--model", Missing + ".json", "--checkpoint", Missing + ".pth", "--images", Missing, "--output", Missing },
        new[] { "data", "stats", "--source", Missing },
        new[] { "data", "subset", "--source", Missing, "--out", Missing + "-out", "--fractions", "0.1" },
        new[] { "analyze", "--results", Missing + ".csv" },
        new[] { "study", "plan", Missing + ".yaml" },
        new[] { "study", "run", Missing + ".yaml" },
        new[] { "study", "status", Missing + ".yaml" },
        new[] { "study", "report", Missing + ".yaml" },
        new[] { "segment", "evaluate", "--predictions", Missing, "--labels", Missing, "--classes", "3", "--output", Missing + ".json" },
    };

    [Theory]
    [MemberData(nameof(BadInvocations))]
    public void ABadArgumentGivesOneErrorLineAndNoStackTrace(string[] args)
    {
        var (code, output, error) = CliRun.Invoke(args);
        Assert.NotEqual(0, code);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var line = Assert.Single(lines);
        Assert.StartsWith("error: ", line);
        Assert.Contains("mimscale-test", line);                 // it names the thing
        Assert.DoesNotContain("   at ", output + error);
        Assert.DoesNotContain("Exception", output + error);
    }
}
