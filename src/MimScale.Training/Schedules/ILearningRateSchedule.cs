namespace MimScale.Training.Schedules;

/// <summary>
/// The learning rate of a parameter group at an iteration: the one way every run (pre-training's step schedule,
/// fine-tuning's warm-up + cosine with layer-wise scales, the linear probe) tells the optimiser what to use. A group's
/// <c>LrScale</c> (layer decay; 1 elsewhere) scales the group's base rate; how a schedule applies it is the schedule's
/// own rule (the step schedule scales its whole curve; warm-up + cosine scales the peak only, as timm does).
/// Schedules are pure functions of the iteration, built from a run's config only.
/// </summary>
public interface ILearningRateSchedule
{
    /// <summary>The rate iteration <paramref name="iteration"/> (0-based) trains with, for a group of scale <paramref name="groupScale"/>.</summary>
    double Rate(long iteration, double groupScale = 1.0);

    /// <summary>What the schedule is, with its numbers, as the run folder records it (config.resolved.json).</summary>
    IReadOnlyDictionary<string, object?> Describe();
}
