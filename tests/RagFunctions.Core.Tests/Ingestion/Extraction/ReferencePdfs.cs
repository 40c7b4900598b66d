using System.Diagnostics;

namespace RagFunctions.Core.Tests.Ingestion.Extraction;

/// <summary>Locates the reference material installed by scripts/setup-test-deps.sh: real PDFs from Debian's r-doc-pdf
/// and poppler's pdftotext.</summary>
internal static class ReferencePdfs
{
    public const string ManualFolder = ".cache/testdocs/r-doc-pdf/usr/share/R/doc/manual";

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

    public static string? Find(string fileName)
    {
        var root = RepositoryRoot();
        var path = root is null ? null : Path.Combine(root, ManualFolder, fileName);
        return path is not null && File.Exists(path) ? path : null;
    }

    public static bool PdftotextAvailable()
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("pdftotext", "-v")
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            });
            process!.WaitForExit();
            return true;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    /// <summary>Runs pdftotext (plain reading-order output, no -layout) for the whole file or one page.</summary>
    public static string Pdftotext(string path, int? page = null)
    {
        var start = new ProcessStartInfo("pdftotext") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-enc");
        start.ArgumentList.Add("UTF-8");
        if (page is { } p)
        {
            start.ArgumentList.Add("-f");
            start.ArgumentList.Add(p.ToString(System.Globalization.CultureInfo.InvariantCulture));
            start.ArgumentList.Add("-l");
            start.ArgumentList.Add(p.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        start.ArgumentList.Add(path);
        start.ArgumentList.Add("-");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"pdftotext failed ({process.ExitCode}): {stderr.Result}");
        }

        return stdout.Result;
    }
}

/// <summary>A fact that needs the reference PDFs: on CI (CI=true) a missing file fails the test; locally it is skipped
/// with the command that installs it.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class ReferencePdfFactAttribute : FactAttribute
{
    public ReferencePdfFactAttribute(string fileName)
    {
        var onCi = string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
        if (!onCi && (ReferencePdfs.Find(fileName) is null || !ReferencePdfs.PdftotextAvailable()))
        {
            Skip = $"{ReferencePdfs.ManualFolder}/{fileName} or pdftotext is missing; run scripts/setup-test-deps.sh";
        }
    }
}
