using Microsoft.Extensions.AI;
using RagFunctions.Core.Retrieval;

namespace RagFunctions.Local.Retrieval;

/// <summary>
/// After start-up, re-embeds every chunk whose stored vector another embedder made (the configured model changed, or the
/// database predates vector provenance), one document at a time, with the active embedder. Keyword search serves those chunks
/// meanwhile and their old vectors are never loaded, so two models' vectors are never compared. Progress goes to the console
/// and <c>/api/health</c>; an interrupted run resumes at the next start (the rows still name the old model).
/// </summary>
internal sealed partial class ReembeddingService(
    SqliteSearchIndex index,
    IEmbeddingGenerator<string, Embedding<float>> embedder,
    ReembeddingProgress progress,
    ILogger<ReembeddingService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await index.EnsureReadyAsync(stoppingToken);
        if (index.EmbedderId is not { } model)
        {
            return;
        }

        var total = await index.CountStaleVectorsAsync(stoppingToken);
        progress.Start(model, total);
        if (total == 0)
        {
            return;
        }

        LogStarted(total, model);
        var lastReport = DateTime.UtcNow;
        try
        {
            int chunks;
            while ((chunks = await index.ReembedNextDocumentAsync(embedder, stoppingToken)) > 0)
            {
                progress.Advance(chunks);
                if (DateTime.UtcNow - lastReport > TimeSpan.FromSeconds(5))
                {
                    LogProgress(progress.Done, total, model);
                    lastReport = DateTime.UtcNow;
                }
            }

            LogFinished(progress.Done, model);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFailed(ex, progress.Done, total);
        }
        finally
        {
            progress.Finish();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Re-embedding {Total} chunks made by another embedder with {Model}; they are keyword-only until done")]
    private partial void LogStarted(long total, string model);

    [LoggerMessage(Level = LogLevel.Information, Message = "Re-embedding: {Done}/{Total} chunks with {Model}")]
    private partial void LogProgress(long done, long total, string model);

    [LoggerMessage(Level = LogLevel.Information, Message = "Re-embedding finished: {Done} chunks with {Model}")]
    private partial void LogFinished(long done, string model);

    [LoggerMessage(Level = LogLevel.Error, Message = "Re-embedding stopped after {Done}/{Total} chunks; it resumes at the next start")]
    private partial void LogFailed(Exception exception, long done, long total);
}
