namespace MimScale.Dense.Segmentation;

/// <summary>
/// The test protocol: rescale to <see cref="Scale"/> (short side to the smaller value, long side capped by the larger,
/// <see cref="ScaleRule"/>), then whole-image or sliding-window inference with square crops and strides, logits resized
/// back to the image's own size, argmax.
/// </summary>
public sealed record InferenceSettings(bool Slide, (int A, int B) Scale, int Crop, int Stride);
