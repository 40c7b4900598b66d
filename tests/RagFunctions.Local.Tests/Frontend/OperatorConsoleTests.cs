using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using RagFunctions.Local.Hosting;
using RagFunctions.Local.Ingestion;
using RagFunctions.Local.Tests.Hosting;

namespace RagFunctions.Local.Tests.Frontend;

/// <summary>The console defaults: framework chatter and per-document detail off the console, single-line format, every default
/// overridable; the progress line says done/total, rate, ETA and failures.</summary>
public sealed class OperatorConsoleTests
{
    [Fact]
    public void Framework_and_per_document_categories_are_quiet_on_the_console_by_default_and_overridable()
    {
        using var host = new LocalHostFactory(new Dictionary<string, string?> { ["Logging:Console:LogLevel:RagFunctions.Core.Ingestion"] = "Information" });
        var filters = host.Services.GetRequiredService<IOptions<LoggerFilterOptions>>().Value;
        var console = host.Services.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue;

        Assert.Contains(filters.Rules, r => r.CategoryName == "Microsoft" && r.ProviderName is null && r.LogLevel == LogLevel.Warning);
        Assert.Contains(filters.Rules, r => r.CategoryName == "RagFunctions.Core.Chat" && r.ProviderName == "Console" && r.LogLevel == LogLevel.Warning);
        // The test's own setting wins over the default (defaults are the lowest-priority configuration source).
        Assert.Contains(filters.Rules, r => r.CategoryName == "RagFunctions.Core.Ingestion" && r.ProviderName == "Console" && r.LogLevel == LogLevel.Information);
        Assert.Equal("simple", console.FormatterName);
        Assert.Equal("true", host.Services.GetRequiredService<IConfiguration>()["Logging:Console:FormatterOptions:SingleLine"]);
    }

    [Fact]
    public void The_progress_line_has_files_rate_eta_and_failures()
    {
        var line = IngestionProgressReporter.Describe(new IngestionProgressReporter.Progress(500, 2000, 480, 20, 12_000, TimeSpan.FromSeconds(50)));

        Assert.Equal("Ingesting: 500/2,000 files, 240 chunks/s, ETA 2 m 30 s, 20 failed so far", line);
    }
}
