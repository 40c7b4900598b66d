namespace RagFunctions.App.Tests;

/// <summary>Locates the repository (and the reference documents scripts/setup-test-deps.sh installs) from the test output.</summary>
internal static class Repository
{
    public static string Root { get; } = FindRoot();

    /// <summary>R's reference manual from Debian's r-doc-pdf (about 2,400 pages), fetched by scripts/setup-test-deps.sh.</summary>
    public static string RefmanPdf => Path.Combine(Root, ".cache/testdocs/r-doc-pdf/usr/share/R/doc/manual/refman.pdf");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "RagFunctions.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No repository root (RagFunctions.sln) above {AppContext.BaseDirectory}");
    }
}
