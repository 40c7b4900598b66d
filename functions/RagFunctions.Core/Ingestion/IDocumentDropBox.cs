namespace RagFunctions.Core.Ingestion;

/// <summary>Where uploads are written so the normal trigger picks them up: the drop folder locally, the documents container on Azure.</summary>
public interface IDocumentDropBox
{
    /// <summary>Stores the file under a safe name and returns its source path.</summary>
    Task<string> SaveAsync(string fileName, Stream content, CancellationToken cancellationToken);

    /// <summary>Stores the file under a safe name inside <paramref name="folder"/> (from
    /// <see cref="Access.DocumentAccess.UploadFolder"/>: <c>users/&lt;id&gt;</c>, <c>groups/&lt;g&gt;</c>, or empty for the top
    /// level) and returns its source path. Stores that cannot place files in folders accept only the top level.</summary>
    Task<string> SaveAsync(string folder, string fileName, Stream content, CancellationToken cancellationToken) =>
        string.IsNullOrEmpty(folder)
            ? SaveAsync(fileName, content, cancellationToken)
            : throw new NotSupportedException($"{GetType().Name} cannot store uploads in folders.");

    /// <summary>Removes the file; a missing file is not an error.</summary>
    Task DeleteAsync(string sourcePath, CancellationToken cancellationToken);
}
