using System.Reflection;

namespace MimScale.Study.Planning;

/// <summary>
/// The MimScale version hashed into every cell key (so results of another version never mix silently). It is the
/// assembly's informational version without the "+commit" suffix the SDK appends: commits that do not bump the
/// version keep their keys, otherwise every commit would invalidate every finished run.
/// </summary>
public static class MimScaleVersion
{
    /// <summary>E.g. "1.0.0".</summary>
    public static string Current { get; } = Strip(typeof(MimScaleVersion).Assembly
        .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0");

    private static string Strip(string v) => v.Split('+')[0];
}
