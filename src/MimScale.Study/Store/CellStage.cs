namespace MimScale.Study.Store;

/// <summary>Where a cell stands. Only <see cref="Pretrained"/> and <see cref="Done"/> mean stored results; the others are
/// informational (a killed process leaves <see cref="Pretraining"/> or <see cref="Evaluating"/> behind, which a restart redoes).</summary>
public enum CellStage
{
    /// <summary>Registered, nothing run.</summary>
    Planned,
    /// <summary>Its trunk is being trained.</summary>
    Pretraining,
    /// <summary>Pre-training result stored; evaluations pending.</summary>
    Pretrained,
    /// <summary>An evaluation is running.</summary>
    Evaluating,
    /// <summary>Pre-training and every evaluation stored.</summary>
    Done,
    /// <summary>The last attempt failed (message stored); a restart retries it.</summary>
    Failed,
}
