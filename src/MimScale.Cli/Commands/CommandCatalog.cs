using System.CommandLine;

namespace MimScale.Cli.Commands;

/// <summary>Every top-level `mimscale` command, in the order `--help` lists them.</summary>
public static class CommandCatalog
{
    public static IEnumerable<Command> All()
    {
        yield return InfoCommand.Create();
        yield return ModelsCommand.Create();
        yield return InspectCommand.Create();
        yield return PretrainCommand.Create();
        yield return FinetuneCommand.Create();
        yield return EvaluateCommand.Create();
        yield return CompareCommand.Create();
        yield return PredictCommand.Create();
        yield return ReconstructCommand.Create();
        yield return DataCommand.Create();
        yield return SegmentCommand.Create();
        yield return DetectCommand.Create();
        yield return AnalyzeCommand.Create();
        yield return StudyCommand.Create((_, _, threadsPerJob) => new MimScale.Study.Execution.EngineStudyExecutor(threadsPerJob));
        yield return BenchCommand.Create();
    }
}
