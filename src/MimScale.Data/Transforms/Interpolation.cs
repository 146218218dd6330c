namespace MimScale.Data.Transforms;

/// <summary>
/// Resampling filters, with PIL's semantics (what torchvision/timm call on PIL images): separable, and antialiased
/// when downscaling (the filter support is stretched by the scale factor, Pillow's <c>ImagingResample</c> design).
/// </summary>
public enum Interpolation
{
    /// <summary>Triangle filter, support 1 (PIL BILINEAR): SimMIM pre-training's RandomResizedCrop default.</summary>
    Bilinear,
    /// <summary>Keys cubic with a = -0.5, support 2 (PIL BICUBIC): fine-tuning and evaluation in timm.</summary>
    Bicubic,
}

/// <summary>Per-channel normalisation constants (ToTensor's [0,1] scale first, then (x - mean) / std).</summary>
public sealed record Normalization(double MeanR, double MeanG, double MeanB, double StdR, double StdG, double StdB)
{
    /// <summary>ImageNet mean (0.485, 0.456, 0.406) and std (0.229, 0.224, 0.225), as in the official code.</summary>
    public static Normalization ImageNet { get; } = new(0.485, 0.456, 0.406, 0.229, 0.224, 0.225);

    /// <summary>Mean of channel <paramref name="c"/>.</summary>
    public double Mean(int c) => c switch { 0 => MeanR, 1 => MeanG, _ => MeanB };
    /// <summary>Std of channel <paramref name="c"/>.</summary>
    public double Std(int c) => c switch { 0 => StdR, 1 => StdG, _ => StdB };
}

/// <summary>A crop of the source image, torchvision's (top i, left j, height h, width w).</summary>
public readonly record struct CropBox(int Top, int Left, int Height, int Width);
