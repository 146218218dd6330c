using MimScale.Dense.Detection.Training;
using MimScale.Dense.Scenes;
using MimScale.Tests.Dense.Scenes;

namespace MimScale.Tests.Dense.Detection;

/// <summary>
/// Tiny scene data for the Mask R-CNN tests: 4 training and 2 validation 64-px scenes of the synthetic items (3 classes,
/// no Fashion-MNIST needed), written once per test class into a temporary folder, and a tiny config: SwinV2-pico
/// (patch 2, window 4: levels at strides 2..32), FPN/RPN 32 channels, box FCs 64, mask head 4 x 32, few samples and
/// proposals, one thread.
/// </summary>
public sealed class DetectionScenes : IDisposable
{
    public DetectionScenes()
    {
        Root = Directory.CreateTempSubdirectory("mimscale-detect-").FullName;
        Data = Path.Combine(Root, "scenes");
        SceneDatasetWriter.Write(Data, new SyntheticItems(), new SyntheticItems(), 4, 2, new SceneOptions(Size: 64, MinItems: 2, MaxItems: 3, MinScale: 0.3, MaxScale: 0.5), seed: 7, maxThreads: 1);
    }

    public string Root { get; }
    public string Data { get; }

    public DetectionConfig Tiny => new()
    {
        Model = "swinv2-pico", Size = 64, DataRoot = Data, FpnChannels = 32, RpnChannels = 32, FcChannels = 64, MaskChannels = 32,
        RpnSamples = 64, RcnnSamples = 32, TrainNmsPre = 200, TrainProposals = 50, TestNmsPre = 200, TestProposals = 50,
        Epochs = 3, BatchSize = 2, WarmupIterations = 0, MilestoneEpochs = new[] { 100 }, BaseLr = 1e-3, LogInterval = 1,
        CheckpointInterval = 2, KeepCheckpoints = 2, Seed = 11, Threads = 1,
    };

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
