namespace MimScale.Analysis.Plots;

/// <summary>A rendered plot: PNG bytes and how the report refers to it.</summary>
/// <param name="FileName">File name inside the report's plots folder, e.g. "loss-model-swinv2-base.png".</param>
/// <param name="Title">Title shown above the image in the report.</param>
/// <param name="Figure">Which paper figure it mirrors, e.g. "Figure 1/7/8 (per model)".</param>
/// <param name="Png">Encoded PNG.</param>
public sealed record PlotImage(string FileName, string Title, string Figure, byte[] Png);
