using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Training.Runs;

/// <summary>
/// Where a run's model and batches live (<c>--device cpu|cuda|auto</c>). Data loading, masks, random generators and
/// checkpoints stay on the host; the model is moved once and each batch is copied to it. Only the CPU is tested here:
/// this build ships TorchSharp-cpu (README, "GPUs").
/// </summary>
public static class DevicePlacement
{
    /// <summary>The accepted values of <c>--device</c>.</summary>
    public static readonly string[] Choices = ["cpu", "cuda", "auto"];

    /// <summary>
    /// The device for <paramref name="choice"/>: cpu; cuda (refused with a clear message when TorchSharp sees no CUDA
    /// device); auto = cuda when available, else cpu. With several CUDA devices, MPI ranks on one machine take
    /// device <paramref name="localRank"/> modulo the device count.
    /// </summary>
    public static Device Resolve(string choice, int localRank = 0)
    {
        bool cuda = choice switch
        {
            "cpu" => false,
            "auto" => torch.cuda.is_available(),
            "cuda" => torch.cuda.is_available() ? true
                : throw new ArgumentException("--device cuda: TorchSharp sees no CUDA device (this build uses the TorchSharp-cpu runtime; README \"GPUs\" tells how to switch to TorchSharp-cuda-linux)"),
            _ => throw new ArgumentException($"--device '{choice}': use one of {string.Join(", ", Choices)}"),
        };
        return cuda ? new Device(DeviceType.CUDA, localRank % torch.cuda.device_count()) : torch.CPU;
    }

    /// <summary>The device of <paramref name="model"/>'s parameters (CPU for a model without any).</summary>
    public static Device DeviceOf(nn.Module model) => model.parameters().FirstOrDefault()?.device ?? torch.CPU;

    /// <summary><paramref name="t"/> on <paramref name="device"/> (the same tensor when it is there already).</summary>
    public static Tensor On(this Tensor t, Device device) => t.device == device ? t : t.to(device);
}
