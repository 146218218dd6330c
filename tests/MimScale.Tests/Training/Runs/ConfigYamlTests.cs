using MimScale.Cli;
using MimScale.Training.Finetuning;
using MimScale.Training.Pretraining;

namespace MimScale.Tests.Training.Runs;

/// <summary>
/// A config value of the wrong type names its file and key (or its --set argument) in one line, never a parser's
/// message or a YamlDotNet type dump.
/// </summary>
[Collection(ConsoleCollection.Name)]   // one test swaps Console.Error
public class ConfigYamlTests
{
    static string PretrainError(string yaml, params string[] sets) =>
        Assert.Throws<InvalidDataException>(() => PretrainConfigYaml.Parse(yaml, "configs/x.yaml", sets)).Message;

    [Theory]
    [InlineData("iterations: ten\n", "configs/x.yaml: iterations: expected an integer, got 'ten'")]
    [InlineData("iterations: \"ten\"\n", "configs/x.yaml: iterations: expected an integer, got 'ten'")]
    [InlineData("iterations: 2.5\n", "configs/x.yaml: iterations: expected an integer, got '2.5'")]
    [InlineData("base_lr: [1, 2]\n", "configs/x.yaml: base_lr: expected a number, got a sequence")]
    [InlineData("base_lr: {a: 1}\n", "configs/x.yaml: base_lr: expected a number, got a mapping")]
    [InlineData("seed: -1\n", "configs/x.yaml: seed: expected a whole number >= 0, got '-1'")]
    [InlineData("official_weight_decay_quirk: maybe\n", "configs/x.yaml: official_weight_decay_quirk: expected true or false, got 'maybe'")]
    [InlineData("mean: 0.5\n", "configs/x.yaml: mean: expected a list of numbers, got '0.5'")]
    [InlineData("mean: [0.5, x, 0.5]\n", "configs/x.yaml: mean[1]: expected a number, got 'x'")]
    [InlineData("batch_size: ~\n", "configs/x.yaml: batch_size: expected an integer, got nothing (null)")]
    [InlineData("source: [a, b]\n", "configs/x.yaml: source: expected a single value, got a sequence")]
    public void AWrongTypeNamesTheFileAndTheKey(string yaml, string message) =>
        Assert.Equal(message, PretrainError("model: swinv2-pico\n" + yaml));

    [Fact]
    public void ABadSetValueIsBlamedOnTheSetArgumentNotOnTheFile()
    {
        Assert.Equal("--set iterations=ten: expected an integer, got 'ten'", PretrainError("iterations: 100\n", "iterations=ten"));
        Assert.Equal("--set mean=[1,a,2][1]: expected a number, got 'a'", PretrainError("", "mean=[1,a,2]"));
        Assert.StartsWith("--set itertions=5: unknown key 'itertions'; known keys: model, ", PretrainError("", "itertions=5"));
        // A value of the right type that validation refuses names the file and the --set arguments applied to it.
        Assert.StartsWith("configs/x.yaml with --set batch_size=0: ", PretrainError("model: swinv2-pico\n", "batch_size=0"));
        // The file's own wrong value is still the file's, whatever --set adds.
        Assert.Equal("configs/x.yaml: warmup_lr: expected a number, got 'fast'", PretrainError("warmup_lr: fast\n", "iterations=10"));
    }

    [Fact]
    public void ValuesOfEveryKindReadAndTheWrittenYamlReadsBack()
    {
        var c = PretrainConfigYaml.Parse("model: swinv2-pico\niterations: 1_000\nbase_lr: 1.5e-4\nseed: 18446744073709551615\n" +
            "official_weight_decay_quirk: no\nmean: [0.5, 0.25, 1]\nval_source: ~\nimg_size: 64\n", "x.yaml", ["window_size=4", "manifest=null"]);
        Assert.Equal((1000L, 1.5e-4, ulong.MaxValue, false), (c.Iterations, c.BaseLr, c.Seed, c.OfficialWeightDecayQuirk));
        Assert.Equal(new[] { 0.5, 0.25, 1.0 }, c.Mean);
        Assert.Null(c.ValSource);
        Assert.Null(c.Manifest);
        Assert.Equal((64, 4), (c.ImgSize, c.WindowSize));
        var back = PretrainConfigYaml.Parse(PretrainConfigYaml.ToYaml(c), "run.yaml");
        Assert.Equal(c.Mean, back.Mean);
        Assert.Equal(PretrainConfigYaml.ToYaml(c), PretrainConfigYaml.ToYaml(back));
    }

    [Fact]
    public void TheFineTuningConfigReadsTheSameWay()
    {
        var e = Assert.Throws<InvalidDataException>(() => FinetuneConfigYaml.Parse("epochs: ten\n", "ft.yaml"));
        Assert.Equal("ft.yaml: epochs: expected an integer, got 'ten'", e.Message);
        var s = Assert.Throws<InvalidDataException>(() => FinetuneConfigYaml.Parse("epochs: 3\n", "ft.yaml", ["pretrained_window_sizes=[4,x]"]));
        Assert.Equal("--set pretrained_window_sizes=[4,x][1]: expected an integer, got 'x'", s.Message);
    }

    [Fact]
    public void TheCommandPrintsTheSameOneLineError()
    {
        string dir = Directory.CreateTempSubdirectory("mimscale-config-").FullName;
        string yaml = Path.Combine(dir, "x.yaml");
        File.WriteAllText(yaml, "model: swinv2-pico\nbase_lr: [1, 2]\n");
        var err = new StringWriter();
        var old = Console.Error;
        Console.SetError(err);
        int code;
        try { code = CliApp.Run("pretrain", "--config", yaml, "--out", Path.Combine(dir, "run")); }
        finally { Console.SetError(old); }
        bool created = Directory.Exists(Path.Combine(dir, "run"));
        Directory.Delete(dir, recursive: true);
        Assert.Equal(1, code);
        Assert.Equal($"error: {yaml}: base_lr: expected a number, got a sequence", err.ToString().Trim());
        Assert.False(created);
    }
}
