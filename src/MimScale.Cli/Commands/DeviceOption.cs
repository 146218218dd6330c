using System.CommandLine;
using MimScale.Training.Runs;

namespace MimScale.Cli.Commands;

/// <summary>`--device cpu|cuda|auto` of the training commands (pretrain, finetune).</summary>
public static class DeviceOption
{
    public static Option<string> Create()
    {
        var option = new Option<string>("--device")
        {
            Description = "Where the model trains: cpu (default), cuda (needs TorchSharp's CUDA runtime, see README) or auto",
            DefaultValueFactory = _ => "cpu",
        };
        option.AcceptOnlyFromAmong(DevicePlacement.Choices);
        return option;
    }
}
