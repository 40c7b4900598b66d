namespace RagFunctions.Infra.Tests;

/// <summary>
/// <c>bicep build</c> and <c>bicep lint</c> over every template under infra/ (one CLI run each, <c>--pattern</c>), once per
/// test run; the compiled JSON lands in a temporary folder, never beside the sources.
/// </summary>
public sealed class CompiledInfra : IDisposable
{
    public const string Pattern = "infra/**/*.bicep";

    private readonly string _outDir = Path.Combine(Path.GetTempPath(), "ragfunctions-bicep-" + Guid.NewGuid().ToString("N"));

    public CompiledInfra()
    {
        Directory.CreateDirectory(_outDir);
        Build = BicepCli.Run(RepoFiles.Root, "build", "--no-restore", "--pattern", Pattern, "--outdir", _outDir);
        Lint = BicepCli.Run(RepoFiles.Root, "lint", "--no-restore", "--pattern", Pattern);
        Templates = Directory.GetFiles(_outDir, "*.json", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(_outDir, f).Replace('\\', '/'), File.ReadAllText, StringComparer.Ordinal);
    }

    public BicepRun Build { get; }

    public BicepRun Lint { get; }

    /// <summary>Compiled templates by path relative to the output folder (mirrors infra/: <c>main.json</c>, <c>modules/x.json</c>).</summary>
    public IReadOnlyDictionary<string, string> Templates { get; }

    public string MainTemplate => Templates.TryGetValue("main.json", out var main)
        ? main
        : throw new InvalidOperationException("bicep build produced no main.json: " + Build);

    public void Dispose()
    {
        try
        {
            Directory.Delete(_outDir, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }
}
