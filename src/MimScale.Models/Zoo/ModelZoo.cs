using MimScale.Models.SimMim;
using MimScale.Models.SwinV2;

namespace MimScale.Models.Zoo;

/// <summary>A named SwinV2 size with the resolutions and windows the paper pre-trains and fine-tunes it at.</summary>
/// <param name="Name">Zoo name, e.g. "swinv2-base".</param>
/// <param name="Description">One line for listings; its first word is an alias of the name.</param>
/// <param name="Pretrain">SimMIM pre-training model (encoder + target and decoder settings).</param>
/// <param name="MaskPatchSize">The pre-training recipe's default mask patch in pixels (32 at the paper's 192 px, 8 at the
/// CPU sizes' 32 px): a data-side default the model never reads; the pre-training config's <c>mask_patch_size</c> overrides it.</param>
/// <param name="Finetune">Classifier for fine-tuning (pretrained_window_sizes set from the pre-training windows).</param>
/// <param name="CpuScale">True for MimScale's small sizes meant for 2-core machines.</param>
public sealed record ZooEntry(string Name, string Description, SimMimOptions Pretrain, int MaskPatchSize, SwinV2Options Finetune, bool CpuScale);

/// <summary>
/// Every named size in one place. The paper's sizes (SPEC §1.1): pre-training at 192 px, window 12, mask patch 32,
/// ratio 0.6, normalised targets 47; fine-tuning at 224 px, window 14, pretrained windows [12,12,12,6], 1000 classes.
/// The CPU-scale sizes pre-train on 32 px images (Fashion-MNIST padded from 28) with patch 2, window 4 and mask
/// patch 8, so a 2-core machine trains them in minutes.
/// </summary>
public static class ModelZoo
{
    static readonly int[] Deep = { 2, 2, 18, 2 };

    public static IReadOnlyList<ZooEntry> All { get; } = new[]
    {
        Paper("swinv2-tiny", "SwinV2-T", 96, new[] { 2, 2, 6, 2 }, new[] { 3, 6, 12, 24 }),
        Paper("swinv2-small", "SwinV2-S", 96, Deep, new[] { 3, 6, 12, 24 }),
        Paper("swinv2-base", "SwinV2-B", 128, Deep, new[] { 4, 8, 16, 32 }),
        Paper("swinv2-large", "SwinV2-L", 192, Deep, new[] { 6, 12, 24, 48 }),
        // H and g: heads follow head_dim 32 (SPEC §1.1 marks them inferred); the checkpoint's logit_scale confirms.
        Paper("swinv2-huge", "SwinV2-H", 352, Deep, new[] { 11, 22, 44, 88 }),
        Paper("swinv2-giant", "SwinV2-g (1.06B, depths 2,2,18,2)", 448, Deep, new[] { 14, 28, 56, 112 }),
        Paper("swinv2-G", "SwinV2-G (3B)", 512, new[] { 2, 2, 42, 4 }, new[] { 16, 32, 64, 128 }),
        Cpu("swinv2-pico", "CPU-scale, 0.4M params", 16, new[] { 1, 1, 2, 1 }, new[] { 1, 2, 4, 8 }),
        Cpu("swinv2-nano", "CPU-scale, 2.3M params", 32, new[] { 2, 2, 2, 2 }, new[] { 2, 4, 8, 16 }),
        Cpu("swinv2-micro", "CPU-scale, 7M params", 48, new[] { 2, 2, 6, 2 }, new[] { 3, 6, 12, 24 }),
    };

    /// <summary>The entry of that name (case-insensitive; "SwinV2-B" style aliases accepted), or a clear error.</summary>
    public static ZooEntry Get(string name)
    {
        var hit = All.FirstOrDefault(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase))
                  ?? All.FirstOrDefault(e => e.Description.Split(' ')[0].Equals(name, StringComparison.Ordinal));
        return hit ?? throw new ArgumentException(
            $"unknown model '{name}'; known: {string.Join(", ", All.Select(e => e.Name))}");
    }

    static ZooEntry Paper(string name, string description, int c, int[] depths, int[] heads)
    {
        var encoder = new SwinV2Options
        {
            ImgSize = new[] { 192, 192 }, PatchSize = 4, NumClasses = 0, EmbedDim = c, Depths = depths, NumHeads = heads,
            WindowSize = 12, DropPathRate = 0.1,
        };
        var pretrain = new SimMimOptions { Encoder = encoder, NormTargetWindow = 47 };
        var finetune = encoder with
        {
            ImgSize = new[] { 224, 224 },
            WindowSize = 14,
            NumClasses = 1000,
            PretrainedWindowSizes = new[] { 12, 12, 12, 6 },
        };
        return new ZooEntry(name, description, pretrain, MaskPatchSize: 32, finetune, CpuScale: false);
    }

    static ZooEntry Cpu(string name, string description, int c, int[] depths, int[] heads)
    {
        var encoder = new SwinV2Options
        {
            ImgSize = new[] { 32, 32 }, PatchSize = 2, InChans = 3, NumClasses = 0, EmbedDim = c, Depths = depths,
            NumHeads = heads, WindowSize = 4, DropPathRate = 0.1,
        };
        // 32 px with mask patch 8: a 4x4 mask grid, 10 of 16 masked at ratio 0.6. Targets normalised over 7x7
        // windows, the paper's 47/192 of the image scaled to 32 px and rounded to odd.
        var pretrain = new SimMimOptions { Encoder = encoder, NormTargetWindow = 7 };
        // Fine-tuning keeps the resolution and window; pretrained windows are the effective pre-training windows.
        var finetune = encoder with { NumClasses = 10, PretrainedWindowSizes = EffectiveWindows(encoder) };
        return new ZooEntry(name, description, pretrain, MaskPatchSize: 8, finetune, CpuScale: true);
    }

    /// <summary>Per stage, the window the first block really used (clipped to the stage grid).</summary>
    public static int[] EffectiveWindows(SwinV2Options o) =>
        Enumerable.Range(0, o.NumLayers).Select(i => o.EffectiveWindow(i, 0).Window).ToArray();
}
