namespace RagFunctions.Core.Ingestion;

/// <summary>Where uploads are written so the normal trigger picks them up: the drop folder locally, the documents container on Azure.</summary>
public interface IDocumentDropBox
{
    /// <summary>Stores the file under a safe name and returns its source path.</summary>
    Task<string> SaveAsync(string fileName, Stream content, CancellationToken cancellationToken);

    /// <summary>Removes the file; a missing file is not an error.</summary>
    Task DeleteAsync(string sourcePath, CancellationToken cancellationToken);
}
