using System.Diagnostics;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;

namespace RagFunctions.Infra.Tests;

/// <summary>What one Bicep CLI run printed.</summary>
public sealed record BicepRun(string Arguments, int ExitCode, string Output, TimeSpan Elapsed)
{
    public IReadOnlyList<BicepDiagnostic> Diagnostics => BicepDiagnostic.Parse(Output);

    /// <summary>Errors and warnings (info-level diagnostics are advice, not findings).</summary>
    public IReadOnlyList<BicepDiagnostic> Findings => [.. Diagnostics.Where(d => d.Level is "Error" or "Warning")];

    public override string ToString() => $"bicep {Arguments} → exit {ExitCode} in {Elapsed.TotalSeconds:F1} s{Environment.NewLine}{Output}";
}

/// <summary>One line of the CLI's default diagnostics format: <c>path(line,col) : Level code: message</c>.</summary>
public sealed partial record BicepDiagnostic(string File, int Line, string Level, string Code, string Message)
{
    public static IReadOnlyList<BicepDiagnostic> Parse(string output) =>
        [.. DiagnosticLine().Matches(output).Select(m => new BicepDiagnostic(
            m.Groups["file"].Value.Trim(), int.Parse(m.Groups["line"].Value, System.Globalization.CultureInfo.InvariantCulture),
            m.Groups["level"].Value, m.Groups["code"].Value, m.Groups["message"].Value.Trim()))];

    public override string ToString() => $"{File}({Line}) {Level} {Code}: {Message}";

    [GeneratedRegex(@"^(?<file>.+?)\((?<line>\d+),(?<col>\d+)\)\s*:\s*(?<level>Error|Warning|Info)\s+(?<code>[^:\s]+):\s*(?<message>.*)$", RegexOptions.Multiline)]
    private static partial Regex DiagnosticLine();
}

/// <summary>
/// The Bicep CLI from the NuGet package <c>Azure.Bicep.CommandLine.linux-x64</c> (a self-contained binary under <c>tools/</c>),
/// located through the <c>BicepPath</c> property that the package's own build props define; the test project records it
/// in its assembly metadata at build time, so a fresh clone needs nothing but <c>dotnet restore</c>.
/// </summary>
public static class BicepCli
{
    public static string Path { get; } = Locate();

    /// <summary>Runs the CLI. Always with <c>--no-restore</c> from the caller: restore is what reaches the public module
    /// registry and its index (aka.ms), and the templates use no registry modules, so tests stay off the network.</summary>
    public static BicepRun Run(string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo(Path)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // A self-contained .NET app: without ICU installed it would refuse to start.
        start.Environment["DOTNET_SYSTEM_GLOBALIZATION_INVARIANT"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        var output = new StringBuilder();
        var watch = Stopwatch.StartNew();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"bicep {string.Join(' ', arguments)} did not finish within 5 minutes: {output}");
        }

        process.WaitForExit(); // drains the redirected streams
        watch.Stop();
        lock (output)
        {
            return new BicepRun(string.Join(' ', arguments), process.ExitCode, output.ToString(), watch.Elapsed);
        }
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static string Locate()
    {
        var recorded = typeof(BicepCli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "BicepPath")?.Value;
        // The package's props build the path with Windows separators ("..\tools\bicep").
        var path = string.IsNullOrEmpty(recorded) ? null : System.IO.Path.GetFullPath(recorded.Replace('\\', '/'));
        if (path is null || !File.Exists(path))
        {
            throw new InvalidOperationException(
                $"The Bicep CLI was not found at '{path}': restore tests/RagFunctions.Infra.Tests (package Azure.Bicep.CommandLine.linux-x64).");
        }

        // NuGet extracts package files without guaranteeing the executable bit (the package is linux-x64 only).
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & UnixFileMode.UserExecute) == 0)
        {
            File.SetUnixFileMode(path, File.GetUnixFileMode(path) | UnixFileMode.UserExecute);
        }

        return path;
    }
}
