using MimScale.Data.Sources;

namespace MimScale.Data.Transforms;

/// <summary>
/// Identifies one sample draw: the loader's seed, the epoch, the sample's position in that epoch's global order, and
/// its index in the source. Every random draw of a transform is a pure function of this record.
/// </summary>
public readonly record struct SampleContext(ulong Seed, int Epoch, long Position, int SourceIndex);

/// <summary>A per-sample transform writing a normalised (3, S, S) image and, optionally, a mask.</summary>
public interface ISampleTransform
{
    /// <summary>Output side S.</summary>
    int ImageSize { get; }
    /// <summary>Elements of the mask written per sample (0 = no mask).</summary>
    int MaskLength { get; }
    /// <summary>Side of the (square) mask, 0 when there is none.</summary>
    int MaskSize { get; }
    /// <summary>Transforms <paramref name="image"/> into <paramref name="chw"/> (3*S*S floats) and <paramref name="mask"/>.</summary>
    void Apply(DecodedImage image, in SampleContext context, Span<float> chw, Span<long> mask);
}
