namespace MimScale.Training.Runs;

/// <summary>How a run of any task ended, as far as its job's closing line reads it.</summary>
public interface IRunResult
{
    /// <summary>Iterations completed.</summary>
    long Step { get; }

    /// <summary>The pre-trained checkpoint the run started from, or "scratch".</summary>
    string StartedFrom { get; }

    /// <summary>Wall-clock seconds over all the run's resumptions.</summary>
    double WallSeconds { get; }

    /// <summary>The task's numbers in one phrase of the closing line (e.g. "best top-1 91.20 (step 300), ...").</summary>
    string Outcome();
}
