namespace MimScale.Tests;

/// <summary>
/// Tests that swap the process-wide <see cref="Console.Error"/> / <see cref="Console.Out"/> to read what a command
/// printed. xunit runs test classes in parallel, so a swapped writer would also collect (and race with) other classes'
/// output; this collection runs on its own, after the parallel ones.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConsoleCollection
{
    public const string Name = "Console writers";
}
