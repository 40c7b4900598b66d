namespace RagFunctions.Core.Ingestion.Staging;

/// <summary>
/// Short-lived storage for one ingestion run's intermediate data (chunk batches, vector batches), so the orchestration
/// carries references instead of document text or vectors: Durable keeps every activity input and output in its history
/// and in storage-queue messages, where a 2,400-page document's text does not belong.
/// </summary>
/// <remarks>Adapters: a folder under the local data directory; the <c>ingestion-staging</c> blob container on Azure. Items are
/// addressed by run and name; a run's items are deleted together when the run ends. Writes overwrite (activities are retried).</remarks>
public interface IIngestionStaging
{
    /// <summary>Stores (or replaces) item <paramref name="name"/> of run <paramref name="runId"/>.</summary>
    Task PutAsync(string runId, string name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken);

    /// <summary>The item's bytes, or null when it does not exist (never written, or the run was already deleted).</summary>
    Task<byte[]?> GetAsync(string runId, string name, CancellationToken cancellationToken);

    /// <summary>Deletes every item of the run; nothing happens when there is none.</summary>
    Task DeleteRunAsync(string runId, CancellationToken cancellationToken);
}
