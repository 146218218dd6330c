namespace MimScale.Study.Spec;

/// <summary>
/// A data-scaling study as written in <c>studies/*.yaml</c> (read by <see cref="StudySpecReader"/>): the grid
/// models x data variants x lengths x seeds, the pre-training recipe, and what to evaluate per cell.
/// </summary>
/// <param name="Name">Study name (letters, digits, '.', '_', '-'); names the default study folder.</param>
/// <param name="Description">Free text.</param>
/// <param name="Models">Zoo names (<c>MimScale.Models.Zoo.ModelZoo</c>), e.g. swinv2-pico.</param>
/// <param name="Data">Sources and the data axis.</param>
/// <param name="Lengths">Training lengths in iterations, ascending (each decays at its branch point, the engine's decay_fraction of it).</param>
/// <param name="Seeds">Seeds of the runs.</param>
/// <param name="ShareTrunks">Whether lengths of one model/data/seed share a trunk up to their branch points (SPEC §4.2); true by default.</param>
/// <param name="Evaluations">Downstream evaluations per cell, among <see cref="KnownEvaluations"/>; the validation
/// loss is always measured and is not listed.</param>
/// <param name="Pretrain">Pre-training recipe, passed to the engine; <c>batch_size</c> is required (compute estimate).</param>
/// <param name="EvaluationRecipes">Recipe per evaluation (<c>finetune:</c>, <c>linear_probe:</c>, <c>knn:</c>, <c>segmentation:</c>, <c>detection:</c> maps); every
/// evaluation has one, empty when the spec gives none.</param>
/// <param name="ReportMetric">Primary metric of the report (default finetune_top1, else the last evaluation's headline, <see cref="TopMetric"/>).</param>
/// <param name="SourcePath">File the spec was read from (or the name given to in-memory text).</param>
/// <param name="Text">The YAML text itself, stored with the results.</param>
public sealed record StudySpec(
    string Name,
    string Description,
    IReadOnlyList<string> Models,
    DataSpec Data,
    IReadOnlyList<long> Lengths,
    IReadOnlyList<int> Seeds,
    bool ShareTrunks,
    IReadOnlyList<string> Evaluations,
    RecipeMap Pretrain,
    IReadOnlyDictionary<string, RecipeMap> EvaluationRecipes,
    string ReportMetric,
    string SourcePath,
    string Text)
{
    /// <summary>Evaluations a spec may ask for, in the order they are run (cheap first; the dense tasks last).</summary>
    public static readonly IReadOnlyList<string> KnownEvaluations = ["knn", "linear_probe", "finetune", "segmentation", "detection"];

    /// <summary>
    /// Name of the metric an evaluation reports as its headline, in percent: top-1 for the classification evaluations,
    /// mIoU for <c>segmentation</c> (the paper's ADE20K metric), box AP for <c>detection</c> (its COCO metric).
    /// </summary>
    public static string TopMetric(string evaluation) => evaluation switch
    {
        "segmentation" => "segmentation_miou",
        "detection" => "detection_box_ap",
        _ => evaluation + "_top1",
    };

    /// <summary>The decoder-size arm (<c>decoder_arm:</c>), or null when the spec has none.</summary>
    public DecoderArm? DecoderArm { get; init; }

    /// <summary>
    /// Whether the study adds a scratch reference (<c>scratch_reference: true</c>): per model and seed, every downstream
    /// evaluation of the spec run from a seeded random initialisation of that model, with the cells' recipes, so the
    /// report can show what pre-training added. No validation loss (it needs a pre-trained decoder). Off by default.
    /// </summary>
    public bool ScratchReference { get; init; }

    /// <summary>Number of cells of the main grid (the decoder arm's cells come on top).</summary>
    public int CellCount => Models.Count * Data.Variants.Count * Lengths.Count * Seeds.Count;
}
