using RagFunctions.Azure.Storage;
using RagFunctions.Core.Ingestion;

namespace RagFunctions.Azure.Ingestion;

/// <summary>The container that holds the documents (the blob trigger's <c>documents/{name}</c>); source paths are blob names in it.</summary>
public sealed class DocumentsContainer(BlobContainerStore store)
{
    public BlobContainerStore Store { get; } = store ?? throw new ArgumentNullException(nameof(store));
}

/// <summary><see cref="IDocumentSource"/> over the documents container: activities read the blob by its path.</summary>
public sealed class BlobDocumentSource(DocumentsContainer documents) : IDocumentSource
{
    /// <summary>Null when the blob was deleted between the event and the activity: the workflow records "the file no longer exists".</summary>
    public Task<Stream?> OpenReadAsync(string sourcePath, CancellationToken cancellationToken) =>
        documents.Store.OpenReadAsync(sourcePath, cancellationToken);
}

/// <summary><see cref="IDocumentDropBox"/> over the documents container: an upload becomes a blob, and the blob's
/// BlobCreated event starts ingestion exactly as for a file uploaded any other way.</summary>
public sealed class BlobDocumentDropBox(DocumentsContainer documents) : IDocumentDropBox
{
    /// <summary>Stores under the sanitised file name, replacing a blob of that name (a re-upload re-ingests, as locally).</summary>
    public Task<string> SaveAsync(string fileName, Stream content, CancellationToken cancellationToken) =>
        SaveAsync("", fileName, content, cancellationToken);

    /// <summary>The blob name is <c>folder/name</c>: the access folder (DocumentAccess) is part of the name, so the blob
    /// trigger derives the same readers from it.</summary>
    public async Task<string> SaveAsync(string folder, string fileName, Stream content, CancellationToken cancellationToken)
    {
        var name = BlobName(folder, fileName);
        await documents.Store.UploadAsync(name, content, metadata: null, cancellationToken).ConfigureAwait(false);
        return name;
    }

    /// <summary>Put Blob with <c>If-None-Match: *</c> (<see cref="BlobContainerStore.CreateAsync"/>): the service decides
    /// atomically, so of two concurrent uploads of one new name exactly one is written.</summary>
    public async Task<string> CreateAsync(string folder, string fileName, Stream content, CancellationToken cancellationToken)
    {
        var name = BlobName(folder, fileName);
        return await documents.Store.CreateAsync(name, content, metadata: null, cancellationToken).ConfigureAwait(false) == BlobCreateResult.Created
            ? name
            : throw new DocumentExistsException(name);
    }

    private static string BlobName(string folder, string fileName)
    {
        ArgumentNullException.ThrowIfNull(folder);
        var name = UploadFileNames.Sanitize(fileName);
        return folder.Length == 0 ? name : $"{folder.Trim('/')}/{name}";
    }

    /// <summary>A missing blob is not an error.</summary>
    public async Task DeleteAsync(string sourcePath, CancellationToken cancellationToken) =>
        await documents.Store.DeleteAsync(sourcePath, cancellationToken).ConfigureAwait(false);
}
