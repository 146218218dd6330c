using System.CommandLine;
using MimScale.Models.Runtime;

namespace MimScale.Cli.Commands;

/// <summary>`mimscale info`: versions, device, threads and whether the native library was adapted.</summary>
public static class InfoCommand
{
    public static Command Create()
    {
        var command = new Command("info", "Print TorchSharp/libtorch versions, device, threads and the native-library patch state.");
        command.SetAction(_ =>
        {
            var info = TorchRuntime.Describe();
            Console.WriteLine($"TorchSharp      {info.TorchSharpVersion}");
            Console.WriteLine($"libtorch        {info.LibTorchVersion}");
            Console.WriteLine($"device          {info.Device}");
            Console.WriteLine($"threads         {info.Threads}");
            Console.WriteLine($"native library  {info.NativeLibrary}");
            Console.WriteLine($"native patch    {info.NativePatch}");
            return 0;
        });
        return command;
    }
}
