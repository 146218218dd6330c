using MimScale.Bench;
using MimScale.Dense.Detection.Training;
using MimScale.Tests.Dense.Detection;

namespace MimScale.Tests.Bench;

/// <summary>`bench detect` times the training step and the inference path on a scenes folder and says it has no FLOP count.</summary>
public class DetectionBenchmarkTests(DetectionScenes scenes) : IClassFixture<DetectionScenes>
{
    [Fact]
    public void OneTimedStepAndTwoImagesOfInferencePrintImagesPerSecond()
    {
        string config = Path.Combine(scenes.Root, "bench.yaml");
        File.WriteAllText(config, DetectionConfigYaml.ToYaml(scenes.Tiny));
        var output = new StringWriter();
        DetectionBenchmark.Run(new DetectionBenchOptions(config, new[] { "batch_size=2" }, scenes.Data, Steps: 1, Warmup: 0, InferImages: 2), output);
        string text = output.ToString();
        Assert.Contains("bench detect: Mask R-CNN on swinv2-pico 64px (FPN 32 ch, RPN 64 anchors, R-CNN 32 RoIs, proposals 50/50), 4 training / 2 validation scenes", text);
        Assert.Contains("no FLOP count, images/s only", text);
        Assert.Matches(@"  train: batch=2 steps=1 \(after 0 warm-up\) step_ms=[0-9.]+ images/s=[0-9.]+", text);
        Assert.Matches(@"  infer: 2 images, weights random heads after the timed steps: [0-9.]+ detections/image, [0-9.]+ s, images/s=[0-9.]+", text);
    }
}
