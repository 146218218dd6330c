using System.CommandLine;
using MimScale.Models.Zoo;

namespace MimScale.Cli.Commands;

/// <summary>`mimscale models`: every zoo size with parameters and FLOPs counted the official way.</summary>
public static class ModelsCommand
{
    public static Command Create()
    {
        var command = new Command("models", "List the model zoo with parameters and FLOPs (official flops() convention).");
        command.SetAction(_ =>
        {
            Console.WriteLine($"{"name",-14} {"backbone",10} {"+head",10} {"pre-train",-16} {"GFLOPs",8} {"fine-tune",-16} {"GFLOPs",8}  description");
            foreach (var e in ModelZoo.All)
            {
                var enc = e.Pretrain.Encoder with { NumClasses = 0 };
                var pre = enc with { NumClasses = e.Finetune.NumClasses };
                string Res(MimScale.Models.SwinV2.SwinV2Options o) => $"{o.ImgSize[0]}px/w{o.WindowSize}";
                Console.WriteLine($"{e.Name,-14} {Millions(ModelCost.Parameters(enc)),10} {Millions(ModelCost.Parameters(e.Finetune)),10} " +
                                  $"{Res(pre),-16} {ModelCost.Flops(pre) / 1e9,8:F3} {Res(e.Finetune),-16} {ModelCost.Flops(e.Finetune) / 1e9,8:F3}  {e.Description}");
            }
            Console.WriteLine("FLOPs: multiply-accumulates of linear layers, attention matmuls and LayerNorms, head included (official flops()).");
            return 0;
        });
        return command;
    }

    static string Millions(long n) => $"{n / 1e6:F2}M";
}
