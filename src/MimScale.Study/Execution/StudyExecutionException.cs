namespace MimScale.Study.Execution;

/// <summary>The executor broke its contract (missing or malformed result), or a study folder cannot be used.</summary>
public sealed class StudyExecutionException(string message, Exception? inner = null) : Exception(message, inner);
