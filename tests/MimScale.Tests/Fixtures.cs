namespace MimScale.Tests;

/// <summary>Finds the official reference fixtures (tests/fixtures/&lt;case&gt;) and other repository files from wherever the tests run.</summary>
public static class Fixtures
{
    /// <summary>Absolute path of tests/fixtures/<paramref name="caseName"/>, found by walking up from the test binaries.</summary>
    public static string Dir(string caseName)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "tests", "fixtures", caseName);
            if (Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException($"tests/fixtures/{caseName} not found above {AppContext.BaseDirectory}");
    }

    /// <summary>
    /// Absolute path of a repository file (e.g. <c>studies/fashion-mnist-demo.yaml</c>), found by walking up from the test
    /// binaries to the folder that holds MimScale.slnx, so a change of build output depth does not break it.
    /// </summary>
    public static string RepoFile(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MimScale.slnx"))) return Path.Combine(dir.FullName, relative);
        throw new DirectoryNotFoundException($"the repository root (with MimScale.slnx) is not above {AppContext.BaseDirectory}");
    }
}
