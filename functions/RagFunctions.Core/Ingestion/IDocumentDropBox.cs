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

    /// <summary>Stores the file like <see cref="SaveAsync(string, string, Stream, CancellationToken)"/>, but only when nothing is
    /// stored under that name yet, decided by the store in the same step as the write (create-only: a file-system rename that fails
    /// on an existing target locally, <c>If-None-Match: *</c> on Azure), so two concurrent uploads of one new name cannot both
    /// succeed. Throws <see cref="DocumentExistsException"/> when the name is taken; nothing is written then.</summary>
    Task<string> CreateAsync(string folder, string fileName, Stream content, CancellationToken cancellationToken);

    /// <summary>Removes the file; a missing file is not an error.</summary>
    Task DeleteAsync(string sourcePath, CancellationToken cancellationToken);
}

/// <summary>A create-only write found a document already stored under the name (<see cref="IDocumentDropBox.CreateAsync"/>).</summary>
public sealed class DocumentExistsException(string sourcePath)
    : Exception($"A document is already stored at '{sourcePath}'.")
{
    /// <summary>The source path that is taken.</summary>
    public string SourcePath { get; } = sourcePath;
}
