using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using RagFunctions.Core.Chat;
using RagFunctions.Core.Retrieval;
using RagFunctions.Local.Ingestion;
using RagFunctions.Local.Storage;

namespace RagFunctions.Local.Hosting;

/// <summary>The start-up summary an operator needs, once the host listens: URL, data folder, index size and load time, embedder,
/// models, drop folder (four lines instead of the framework's lifetime messages).</summary>
public sealed partial class StartupSummary(
    IServer server,
    IHostApplicationLifetime lifetime,
    SqliteDatabase database,
    DropFolder dropFolder,
    IServiceProvider services,
    IOptions<ChatPipelineOptions> chat,
    ILogger<StartupSummary> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        await started.Task.WaitAsync(stoppingToken);

        var url = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "(no address)";
        LogReady(url.TrimEnd('/'), url.TrimEnd('/') + "/docs");
        LogData(Path.GetDirectoryName(database.FilePath) ?? database.FilePath, database.FilePath, dropFolder.Root);

        var embedder = services.GetService<IEmbeddingGenerator<string, Embedding<float>>>()?.GetService<EmbeddingGeneratorMetadata>();
        var models = chat.Value.Models.Where(m => !string.IsNullOrWhiteSpace(m.Name)).ToList();
        var chain = models.Count == 0 || services.GetService<IChatClientFactory>() is null
            ? "extractive answerer (no model configured: RagFunctions:Chat:Models)"
            : string.Join(" → ", models.Select(m => $"{m.Name} ({m.TimeoutSeconds} s)"));
        LogModels(
            embedder is null ? "unknown" : $"{embedder.ProviderName}:{embedder.DefaultModelId} ({embedder.DefaultModelDimensions} dimensions{(embedder.ProviderUri is { } uri ? $" at {uri.Host}" : "")})",
            chain);

        try
        {
            var index = services.GetRequiredService<ISearchIndex>();
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var stats = await index.GetStatsAsync(stoppingToken);
            var loaded = index is Retrieval.SqliteSearchIndex sqlite && sqlite.LoadDuration is { } d ? d : clock.Elapsed;
            LogIndex(stats.DocumentCount, stats.ChunkCount, loaded.TotalSeconds, stats.Engine);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogIndexFailed(ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "RagFunctions local host ready at {Url} (chat page; API reference {DocsUrl})")]
    private partial void LogReady(string url, string docsUrl);

    [LoggerMessage(Level = LogLevel.Information, Message = "Data folder {DataFolder} (SQLite {DatabaseFile}); drop folder {DropFolder}")]
    private partial void LogData(string dataFolder, string databaseFile, string dropFolder);

    [LoggerMessage(Level = LogLevel.Information, Message = "Embedder {Embedder}; chat {Models}")]
    private partial void LogModels(string embedder, string models);

    [LoggerMessage(Level = LogLevel.Information, Message = "Index: {Documents} documents, {Chunks} chunks, loaded in {Seconds:F1} s ({Engine})")]
    private partial void LogIndex(long documents, long chunks, double seconds, string engine);

    [LoggerMessage(Level = LogLevel.Error, Message = "Index did not load: {Reason}")]
    private partial void LogIndexFailed(string reason);
}
