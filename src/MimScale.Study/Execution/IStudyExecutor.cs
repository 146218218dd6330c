using MimScale.Study.Planning;
using MimScale.Study.Spec;

namespace MimScale.Study.Execution;

/// <summary>
/// The boundary between the study runner and the pre-training engine. The runner decides what is left to do and
/// records results transactionally; the executor trains and evaluates. Both methods may be interrupted at any point
/// (exception, cancellation, killed process) and are called again on restart with what is still missing.
/// </summary>
public interface IStudyExecutor
{
    /// <summary>
    /// Pre-trains one trunk group: the trunk at the base learning rate to <see cref="TrunkJob.RequiredTrunkIterations"/>,
    /// branching each pending cell at its <see cref="CellPlan.DecayStart"/> into <see cref="CellPlan.DecayIterations"/>
    /// iterations at 0.1x, measuring train and validation loss along the way.
    /// Never called for a scratch reference (<see cref="TrunkGroup.Scratch"/>): the runner records its empty pre-training itself.
    /// <para>Resumable: the executor keeps its own checkpoints in <see cref="TrunkJob.TrunkDir"/> (trunk snapshots) and the
    /// cell folders; called again after a kill it continues from them. It must call <paramref name="onCellFinished"/>
    /// exactly once per pending cell, as soon as that branch is done (also for a branch that finished in an earlier,
    /// killed process but is still pending here), and never for cells in <see cref="TrunkJob.FinishedCells"/>.
    /// Once the callback returns, the result is committed; returning normally means every pending cell was reported.</para>
    /// </summary>
    /// <param name="job">The trunk, its folders, and which cells are already finished.</param>
    /// <param name="onCellFinished">Records one branch's result (throws <see cref="StudyExecutionException"/> on a malformed one).</param>
    /// <param name="progress">Plain progress lines (iteration, loss, speed); the runner prints them as they come.</param>
    /// <param name="ct">Cancelled when the user stops the study; stop at the next safe point and throw <see cref="OperationCanceledException"/>.</param>
    void PretrainTrunk(TrunkJob job, Action<CellPretrainResult> onCellFinished, IProgress<string> progress, CancellationToken ct);

    /// <summary>
    /// One downstream evaluation of a pre-trained cell, or of a scratch reference (<see cref="CellPlan.Scratch"/>: the same
    /// evaluation from a random initialisation seeded with <c>cell.Seed</c>): <c>finetune</c>, <c>linear_probe</c> or <c>knn</c> (trained on
    /// <c>cell.Data.EvalSource</c>, tested on <c>cell.Data.ValSource</c>), or <c>segmentation</c> / <c>detection</c> (on the
    /// scenes folder of their recipe), with the recipe <c>cell.EvaluationRecipes[evaluation]</c>.
    /// Returns metrics whose names start with the evaluation's name and an underscore; the headline is
    /// <see cref="StudySpec.TopMetric"/> (in percent, as in the paper), e.g. <c>finetune_top1</c>, <c>knn_top1</c>,
    /// <c>segmentation_miou</c>, <c>detection_box_ap</c>. Values must be finite. May resume from its own checkpoints in
    /// <paramref name="cellDir"/>.
    /// </summary>
    IReadOnlyDictionary<string, double> Evaluate(CellPlan cell, string evaluation, string cellDir, IProgress<string> progress, CancellationToken ct);
}
