using MimScale.Data.Sources;
using MimScale.Tests.Data;

namespace MimScale.Tests.Study;

/// <summary>Spec texts and an in-memory source for the study tests.</summary>
internal static class StudyTestData
{
    /// <summary>A small spec: pico + nano, two fractions, lengths 400/1600, one seed, knn + finetune.</summary>
    public static string Spec(string lengths = "[400, 1600]", string lr = "4.0e-4", string models = "[swinv2-pico, swinv2-nano]",
        string fractions = "[0.1, 0.5]", string evaluations = "[val_loss, knn, finetune]", string seeds = "[0]", string extraTop = "") => $"""
        name: test-study
        description: test
        models: {models}
        data:
          name: Pattern
          source: pattern:train
          val_source: pattern:test
          subset_seed: 0
          fractions: {fractions}
        lengths: {lengths}
        seeds: {seeds}
        evaluations: {evaluations}
        pretrain:
          batch_size: 8
          base_lr: {lr}
          warmup_iterations: 10
        finetune:
          epochs: 1
          warmup_epochs: 0
        knn:
          k: 5
        {extraTop}
        """;

    /// <summary>In-memory source for any spec string: 200 images, 4 classes.</summary>
    public static IImageSource Open(string spec) => new PatternSource(200, 4);
}
