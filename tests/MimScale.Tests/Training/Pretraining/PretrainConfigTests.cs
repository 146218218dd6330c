using MimScale.Data.Masking;
using MimScale.Training.Pretraining;

namespace MimScale.Tests.Training.Pretraining;

/// <summary>The pre-training config owns the masking (mask_ratio, mask_patch_size) and hands it to the data side.</summary>
public class PretrainConfigTests
{
    // run.yaml of `pretrain --config configs/fashion-mnist-nano.yaml --set iterations=40 --set warmup_iterations=10
    // --set val_images=200 --set log_interval=10 --set eval_interval=20`, written by main at 0173aa3 (mask settings then
    // in the model options; trailing spaces after empty values dropped), with the config_hash that run recorded.
    const string RunYamlBeforeTheMove = """
        model: swinv2-nano
        img_size:
        window_size:
        drop_path_rate:
        mask_patch_size:
        mask_ratio:
        norm_target_window:
        decoder: linear
        decoder_depth: 2
        use_checkpoint: false
        source: fashion-mnist@train
        fraction: 1
        subset_seed: 0
        manifest:
        val_source: fashion-mnist@test
        val_images: 200
        val_mask_seed: 0
        mean:
        std:
        workers: 2
        iterations: 40
        batch_size: 64
        accumulation: 1
        base_lr: 0.002
        warmup_lr: 5E-06
        warmup_iterations: 10
        decay_fraction: 0.875
        decay_gamma: 0.1
        weight_decay: 0.05
        official_weight_decay_quirk: true
        clip_grad: 5
        seed: 0
        log_interval: 10
        eval_interval: 20
        checkpoint_interval: 250
        keep_checkpoints: 2
        recon_interval: 0
        recon_images: 4
        max_non_finite_steps: 5
        threads: 0

        """;

    [Fact]
    public void ARunFolderWrittenBeforeTheMaskSettingsMovedReadsAndKeepsItsConfigHash()
    {
        var config = PretrainConfigYaml.Parse(RunYamlBeforeTheMove, "run.yaml");
        Assert.Equal("24b7f84a394994ae", PretrainRun.ConfigHash(config));   // so its checkpoints still resume
        Assert.Contains("\"encoder_stride\": 16,\n      \"mask_patch_size\": 8,\n      \"mask_ratio\": 0.6,\n      \"norm_target_window\": 7,",
            PretrainConfigYaml.Resolved(config).ReplaceLineEndings("\n"));
    }

    [Fact]
    public void MaskingComesFromTheConfigWithTheZooMaskPatchAndThePapersRatioAsDefaults()
    {
        Assert.Equal(new MaskSettings(0.6, 8), PretrainConfigYaml.Parse("model: swinv2-nano\n", "a.yaml").Masks());
        Assert.Equal(new MaskSettings(0.6, 32), PretrainConfigYaml.Parse("model: swinv2-base\n", "b.yaml").Masks());
        var set = PretrainConfigYaml.Parse("model: swinv2-nano\nmask_patch_size: 16\n", "c.yaml", ["mask_ratio=0.75"]);
        Assert.Equal(new MaskSettings(0.75, 16), set.Masks());
        // The transform the run trains with draws exactly these: ceil(4 * 0.75) = 3 of the 2 x 2 mask patches of 32 px.
        var gen = new MaskGenerator(32, 2, set.Masks());
        Assert.Equal((4, 3, 16), (gen.TokenCount, gen.MaskCount, gen.OutputSize));
    }

    [Theory]
    [InlineData("mask_ratio: 1.0\n", "mask_ratio must be in (0, 1), got 1")]
    [InlineData("mask_ratio: 0\n", "mask_ratio must be in (0, 1), got 0")]
    [InlineData("mask_patch_size: 0\n", "mask_patch_size must be positive, got 0")]
    [InlineData("mask_patch_size: 12\n", "img_size 32 is not divisible by mask_patch_size 12")]
    [InlineData("mask_patch_size: 1\n", "mask_patch_size 1 is not a multiple of the model patch_size 2")]
    public void ABadMaskSettingFailsTheConfigNamingTheFileAndKey(string yaml, string message)
    {
        var e = Assert.Throws<InvalidDataException>(() => PretrainConfigYaml.Parse("model: swinv2-nano\n" + yaml, "run.yaml"));
        Assert.Contains("run.yaml", e.Message);
        Assert.Contains(message, e.Message);
    }
}
