using MimScale.Data.Loading;
using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Training.Runs;

/// <summary>
/// The one rule for sizing a loader that feeds a model (issue 17), used by every training and evaluation stream of
/// pre-training, fine-tuning and the evaluations. On the CPU the decode threads share the cores with torch's: they get
/// the cores the step leaves free (<see cref="LoaderOptions.WorkersBeside"/>, at least 1, at most the requested
/// workers) at idle priority, so a contended core goes to the step. On an accelerator the requested workers run as given.
/// </summary>
public static class LoaderSizing
{
    /// <summary><paramref name="options"/> sized for a model on <paramref name="device"/> (changes timing only, never the batches).</summary>
    public static LoaderOptions Feeding(this LoaderOptions options, Device device) =>
        device.type != DeviceType.CPU ? options : options with
        {
            Workers = LoaderOptions.WorkersBeside(options.Workers, torch.get_num_threads(), Environment.ProcessorCount),
            IdlePriority = true,
        };
}
