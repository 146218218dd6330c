namespace MimScale.Tests;

/// <summary>Finds the official reference fixtures (tests/fixtures/&lt;case&gt;) from wherever the tests run.</summary>
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
}
