using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Configuration;
using RagFunctions.Local.Hosting;

namespace RagFunctions.Benchmarks.Ingest;

/// <summary>The local host's real DI graph (<see cref="LocalHostSetup.AddLocalHost"/>) built on a data directory, without starting it:
/// no hosted services run (no drop-folder watcher, no queue workers), so the bench drives the services itself.</summary>
internal static class LocalStack
{
    /// <summary>A fresh, empty data directory under the temp folder unless one is given.</summary>
    public static string DataDirectory(string? given) =>
        Path.GetFullPath(given ?? Path.Combine(Path.GetTempPath(), "ragfunctions-bench", Guid.NewGuid().ToString("N")));

    public static WebApplication Build(string dataDirectory, IReadOnlyDictionary<string, string?>? settings = null, Action<IServiceCollection>? configureServices = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [], EnvironmentName = "Production" });
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            [$"{LocalHostOptions.Section}:{nameof(LocalHostOptions.DataDirectory)}"] = dataDirectory,
            // Per-document Information logs to the console would be measured too; the host's own logging is not what is benchmarked.
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(values);
        builder.AddLocalHost();
        configureServices?.Invoke(builder.Services);
        return builder.Build();
    }
}
