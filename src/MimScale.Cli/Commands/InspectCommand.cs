using System.CommandLine;
using System.Globalization;
using MimScale.Models.TensorFiles;
using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Cli.Commands;

/// <summary>`mimscale inspect FILE [--all]`: format, ignored wrapper entries, keys with shape and dtype, implied architecture.</summary>
public static class InspectCommand
{
    /// <summary>Keys listed without --all.</summary>
    public const int DefaultKeyLimit = 40;

    public static Command Create()
    {
        var file = new Argument<string>("FILE") { Description = "A checkpoint (.pth zip from torch.save, .safetensors) or a .npy array." };
        var all = new Option<bool>("--all") { Description = $"List every key (default: the first {DefaultKeyLimit})." };
        var command = new Command("inspect", "Show what a checkpoint holds: keys, shapes, dtypes, parameter count and the implied SwinV2/SimMIM architecture.");
        command.Arguments.Add(file);
        command.Options.Add(all);
        command.SetAction(parseResult => Run(parseResult.GetValue(file)!, parseResult.GetValue(all), Console.Out, Console.Error));
        return command;
    }

    /// <summary>Prints the report for <paramref name="path"/> to <paramref name="output"/>; returns the exit code.</summary>
    public static int Run(string path, bool all, TextWriter output, TextWriter error) => CliErrors.Run(() =>
    {
        using var scope = NewDisposeScope(); // the .npy array read below
        {
            if (path.EndsWith(".npy", StringComparison.OrdinalIgnoreCase))
            {
                var array = Npy.Read(path);
                output.WriteLine($"file          {path}");
                output.WriteLine("format        NumPy .npy");
                output.WriteLine($"shape         {Shape(array.shape)}");
                output.WriteLine($"dtype         {DType(array.dtype)}");
                return 0;
            }
            // Header only: shapes and dtypes without reading the weights, so multi-GB checkpoints inspect instantly.
            var header = TensorFile.LoadHeader(path);
            output.WriteLine($"file          {path}");
            output.WriteLine($"format        {header.Format}" +
                             (header.StateDictPath.Length > 0 ? $" (state dict under '{header.StateDictPath}')" : ""));
            output.WriteLine($"ignored       {(header.Ignored.Count == 0 ? "nothing" : string.Join("; ", header.Ignored))}");
            foreach (var (k, v) in header.Metadata) output.WriteLine($"metadata      {k} = {v}");
            WriteKeys(header.Tensors, all, output);

            long parameters = header.Tensors.Where(t => !StateDictKeys.IsRebuiltBuffer(t.Name)).Sum(t => t.Numel);
            int buffers = header.Tensors.Count(t => StateDictKeys.IsRebuiltBuffer(t.Name));
            output.WriteLine($"parameters    {parameters.ToString("N0", CultureInfo.InvariantCulture)}" +
                             $" (not counting {buffers} rebuilt buffers: relative_coords_table, relative_position_index, attn_mask)");
            output.WriteLine();
            try
            {
                var arch = ArchitectureInference.FromShapes(header.Shapes());
                output.WriteLine("implied architecture");
                foreach (var line in arch.Describe().Split('\n')) output.WriteLine("  " + line.TrimEnd('\r'));
            }
            catch (ArgumentException e)
            {
                output.WriteLine($"implied architecture: none ({e.Message})");
            }
            return 0;
        }
    }, error);

    static void WriteKeys(IReadOnlyList<TensorInfo> tensors, bool all, TextWriter output)
    {
        output.WriteLine($"tensors       {tensors.Count}");
        var shown = all ? tensors : tensors.Take(DefaultKeyLimit).ToList();
        int width = shown.Count == 0 ? 0 : shown.Max(t => t.Name.Length);
        foreach (var t in shown)
            output.WriteLine($"  {t.Name.PadRight(width)}  {Shape(t.Shape),-20} {DType(t.DType)}");
        if (shown.Count < tensors.Count)
            output.WriteLine($"  ... {tensors.Count - shown.Count} more (--all lists every key)");
    }

    static string Shape(long[] shape) => "(" + string.Join(", ", shape) + ")";

    static string DType(ScalarType type) => type switch
    {
        ScalarType.Float32 => "float32",
        ScalarType.Float64 => "float64",
        ScalarType.Float16 => "float16",
        ScalarType.BFloat16 => "bfloat16",
        ScalarType.Int64 => "int64",
        ScalarType.Int32 => "int32",
        ScalarType.Int16 => "int16",
        ScalarType.Int8 => "int8",
        ScalarType.Byte => "uint8",
        ScalarType.Bool => "bool",
        _ => type.ToString(),
    };
}
