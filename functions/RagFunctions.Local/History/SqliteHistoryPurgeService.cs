using Microsoft.Extensions.Options;
using RagFunctions.Core.History;

namespace RagFunctions.Local.History;

/// <summary>Runs <see cref="SqliteConversationStore.PurgeDeletedAsync"/> when the host starts and then once a day
/// (the local stand-in for Cosmos DB's per-item TTL).</summary>
public sealed partial class SqliteHistoryPurgeService(
    SqliteConversationStore store,
    IOptions<HistoryOptions> options,
    ILogger<SqliteHistoryPurgeService> logger,
    TimeProvider? time = null) : BackgroundService
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromDays(1), _time);
        do
        {
            try
            {
                var purged = await store.PurgeDeletedAsync(_time.GetUtcNow(), stoppingToken);
                LogPurged(purged, options.Value.DeletedRetentionDays);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A failed purge is retried tomorrow; it must not stop the host.
                LogPurgeFailed(ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Purged {Count} conversations deleted more than {RetentionDays} days ago")]
    private partial void LogPurged(int count, int retentionDays);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Purging deleted conversations failed")]
    private partial void LogPurgeFailed(Exception exception);
}
