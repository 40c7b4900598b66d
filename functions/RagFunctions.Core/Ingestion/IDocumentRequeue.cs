namespace RagFunctions.Core.Ingestion;

/// <summary>Asks the host to ingest a stored file again although the file did not change: a duplicate promoted to primary
/// (<see cref="Duplicates.DuplicateContent"/>) must be indexed under its own id. Locally the path goes on the ingestion
/// queue; on Azure the blob is written again, so its BlobCreated event starts the orchestration as any upload does.</summary>
public interface IDocumentRequeue
{
    Task RequeueAsync(string sourcePath, CancellationToken cancellationToken);
}
