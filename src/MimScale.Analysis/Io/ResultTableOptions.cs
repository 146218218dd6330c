namespace MimScale.Analysis.Io;

/// <summary>
/// Column names and conventions for <see cref="ResultTable.ReadCsv"/>. The defaults match
/// data/modelhub-simmim-swinv2.csv (the paper's released runs). Optional columns that are absent from the header are
/// skipped; set a column name to null to ignore it even when present.
/// </summary>
public sealed record ResultTableOptions
{
    /// <summary>ImageNet-1K train size; a data fraction f becomes f x this many images when no image count is given.</summary>
    public const long ImageNet1KTrainImages = 1_281_167;

    /// <summary>Required: model name.</summary>
    public string ModelColumn { get; init; } = "model";

    /// <summary>Optional: parameter count, plain or with a K/M/B suffix ("49M", "1.06B").</summary>
    public string? ParamsColumn { get; init; } = "params_backbone";

    /// <summary>Data label; at least one of this and <see cref="DataFractionColumn"/> must be in the header.</summary>
    public string? DataLabelColumn { get; init; } = "pretrain_data";

    /// <summary>Data fraction of the base set (0..1]; empty cells are allowed (e.g. the ImageNet-22K rows).</summary>
    public string? DataFractionColumn { get; init; } = "data_fraction";

    /// <summary>Optional: number of training images.</summary>
    public string? ImagesColumn { get; init; } = "images";

    /// <summary>Required: training length in iterations.</summary>
    public string IterationsColumn { get; init; } = "iterations";

    /// <summary>Optional: final validation loss (empty cells allowed).</summary>
    public string? ValLossColumn { get; init; } = "val_loss";

    /// <summary>Optional: final training loss (empty cells allowed).</summary>
    public string? TrainLossColumn { get; init; } = "train_loss";

    /// <summary>Optional: integer seed (0 when absent).</summary>
    public string? SeedColumn { get; init; } = "seed";

    /// <summary>Metric columns read when present (empty cells allowed); higher values are better.</summary>
    public IReadOnlyList<string> MetricColumns { get; init; } = ["finetune_top1", "linear_probe", "knn"];

    /// <summary>Image count of the full base set that fractions refer to (ImageNet-1K train by default).</summary>
    public long FractionBaseImages { get; init; } = ImageNet1KTrainImages;

    /// <summary>
    /// Image counts for labels that carry no fraction. Used only to order data sizes. The ImageNet-22K count is the
    /// commonly quoted 14,197,122 (fall 2011 release); SPEC §6.3 calls it "about 14.2M", so treat it as approximate.
    /// </summary>
    public IReadOnlyDictionary<string, long> LabelImageCounts { get; init; } =
        new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase) { ["ImageNet-22K"] = 14_197_122 };

    /// <summary>Study name; null means the file name without extension.</summary>
    public string? StudyName { get; init; }
}
