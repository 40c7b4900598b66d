namespace RagFunctions.Local.Hosting;

/// <summary>What the operator's console shows by default: one line per request, a start-up summary, ingestion progress, warnings and
/// errors. Framework chatter (Microsoft.*, System.*) is at Warning and per-document / per-turn detail stays off the console (it is still
/// logged to every other provider and remains one setting away). These are the lowest-priority configuration source, so any
/// <c>Logging:*</c> setting (appsettings, environment <c>Logging__LogLevel__Microsoft=Information</c>) overrides them.</summary>
public static class ConsoleDefaults
{
    public static readonly IReadOnlyDictionary<string, string?> Settings = new Dictionary<string, string?>
    {
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Microsoft"] = "Warning",
        ["Logging:LogLevel:System"] = "Warning",
        ["Logging:Console:FormatterName"] = "simple",
        ["Logging:Console:FormatterOptions:SingleLine"] = "true",
        ["Logging:Console:FormatterOptions:TimestampFormat"] = "HH:mm:ss ",
        // Per-document ingestion lines become the progress line and the batch summary (IngestionProgressReporter); a failed
        // document's reason is at GET /api/documents?status=failed.
        ["Logging:Console:LogLevel:RagFunctions.Core.Ingestion"] = "Error",
        ["Logging:Console:LogLevel:RagFunctions.Local.Ingestion.DropFolderWatcher"] = "Warning",
        // Per-turn lines: the request line already says what happened; model failures stay (Warning, one line each).
        ["Logging:Console:LogLevel:RagFunctions.Core.Chat"] = "Warning",
        ["Logging:Console:LogLevel:RagFunctions.Api"] = "Warning",
        // Folded into the start-up summary and the progress line.
        ["Logging:Console:LogLevel:RagFunctions.Local.Retrieval"] = "Warning",
        ["Logging:Console:LogLevel:RagFunctions.Local.Hosting.MetricsConsoleReporter"] = "Warning",
        ["Logging:Console:LogLevel:RagFunctions.Local.History"] = "Warning",
        ["Logging:Console:LogLevel:RagFunctions.Local.Assessment.AssessmentFolderInbox"] = "Warning",
    };

    public static WebApplicationBuilder AddConsoleDefaults(this WebApplicationBuilder builder)
    {
        builder.Configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource { InitialData = Settings });
        return builder;
    }
}
