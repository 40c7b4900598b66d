namespace RagFunctions.Infra.Tests;

/// <summary>Locates the repository from the test output folder and reads its infrastructure files.</summary>
public static class RepoFiles
{
    public static string Root { get; } = FindRoot();

    public static string InfraDir => Path.Combine(Root, "infra");

    public static string Read(string relativePath) => File.ReadAllText(Path.Combine(Root, relativePath));

    public static IReadOnlyList<string> BicepFiles() =>
        [.. Directory.GetFiles(InfraDir, "*.bicep", SearchOption.AllDirectories).Order(StringComparer.Ordinal)];

    public static IReadOnlyList<string> HookScripts() =>
        [.. Directory.GetFiles(Path.Combine(InfraDir, "hooks"), "*.sh").Order(StringComparer.Ordinal)];

    /// <summary>Every text file that ships the deployment: Bicep, JSON, hooks, azure.yaml, Functions host files.</summary>
    public static IReadOnlyList<string> DeploymentFiles() =>
    [
        .. Directory.GetFiles(InfraDir, "*.*", SearchOption.AllDirectories).Order(StringComparer.Ordinal),
        Path.Combine(Root, "azure.yaml"),
        Path.Combine(Root, "host.json"),
        Path.Combine(Root, "local.settings.sample.json"),
    ];

    public static string Relative(string path) => Path.GetRelativePath(Root, path).Replace('\\', '/');

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "RagFunctions.sln")) && Directory.Exists(Path.Combine(dir.FullName, "infra")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No repository root (RagFunctions.sln + infra/) above {AppContext.BaseDirectory}");
    }
}
