namespace RagFunctions.Core.Ingestion;

/// <summary>Where source files live: the drop folder locally, the <c>documents</c> blob container on Azure.</summary>
public interface IDocumentSource
{
    /// <summary>Opens the file for reading, or returns null when it no longer exists (deleted after the event).</summary>
    Task<Stream?> OpenReadAsync(string sourcePath, CancellationToken cancellationToken);
}
