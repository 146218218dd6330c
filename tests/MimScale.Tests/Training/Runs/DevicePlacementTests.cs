using MimScale.Training.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Tests.Training.Runs;

/// <summary>`--device` on this CPU-only build: cpu and auto train on the CPU, cuda is refused with the way out.</summary>
public class DevicePlacementTests
{
    [Fact]
    public void CpuAndAutoPlaceOnTheCpuAndCudaIsRefusedWithTheWayOut()
    {
        Assert.Equal(DeviceType.CPU, DevicePlacement.Resolve("cpu").type);
        Assert.False(torch.cuda.is_available());   // TorchSharp-cpu: if this ever fails, the build changed runtime
        Assert.Equal(DeviceType.CPU, DevicePlacement.Resolve("auto").type);
        var cuda = Assert.Throws<ArgumentException>(() => DevicePlacement.Resolve("cuda"));
        Assert.Contains("TorchSharp sees no CUDA device", cuda.Message);
        Assert.Contains("TorchSharp-cuda-linux", cuda.Message);
        var bad = Assert.Throws<ArgumentException>(() => DevicePlacement.Resolve("gpu"));
        Assert.Equal("--device 'gpu': use one of cpu, cuda, auto", bad.Message);
    }
}
