using System.Diagnostics;

namespace RagFunctions.Local.Tests.Frontend;

/// <summary>External tools installed by scripts/setup-test-deps.sh into the gitignored .cache/ (or by apt).</summary>
public static class TestTools
{
    public static string? RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "RagFunctions.sln")))
            {
                return dir.FullName;
            }
        }

        return null;
    }

    /// <summary>@redocly/cli (OpenAPI 3.1 linter), installed by the <c># --- frontend</c> section.</summary>
    public static string? Redocly() =>
        RepositoryRoot() is { } root && Path.Combine(root, ".cache", "openapi-lint", "node_modules", ".bin", "redocly") is var path && File.Exists(path)
            ? path
            : null;

    /// <summary>Debian's chromium (Playwright cannot download its own browsers here).</summary>
    public static string? Chromium() =>
        new[] { Environment.GetEnvironmentVariable("CHROMIUM_PATH"), "/usr/bin/chromium", "/usr/bin/chromium-browser" }
            .FirstOrDefault(p => !string.IsNullOrEmpty(p) && File.Exists(p));

    public static bool OnCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Runs a process to completion; returns exit code and combined output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string file, IEnumerable<string> args, string? workingDirectory = null, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(file, args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        start.Environment["REDOCLY_TELEMETRY"] = "off";
        start.Environment["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(cts.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}

/// <summary>Skipped when the OpenAPI linter is not installed, except on CI (CI=true), where a missing tool fails the test.</summary>
public sealed class OpenApiLinterFactAttribute : FactAttribute
{
    public OpenApiLinterFactAttribute()
    {
        if (TestTools.Redocly() is null && !TestTools.OnCi)
        {
            Skip = ".cache/openapi-lint (@redocly/cli) is missing; run scripts/setup-test-deps.sh";
        }
    }
}
