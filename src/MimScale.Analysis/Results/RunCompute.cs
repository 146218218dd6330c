namespace MimScale.Analysis.Results;

/// <summary>Compute spent by one run; every field is optional because external tables rarely report it.</summary>
/// <param name="Flops">Total training floating-point operations (multiply-accumulates counted as 2), if known.</param>
/// <param name="WallSeconds">Wall-clock seconds of pre-training, if measured.</param>
/// <param name="Device">Free-text device description (e.g. "cpu x2"), if recorded.</param>
public sealed record RunCompute(double? Flops, double? WallSeconds, string? Device = null);
