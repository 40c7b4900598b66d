using System.Runtime.CompilerServices;
using Azure;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace RagFunctions.Azure.Storage;

/// <summary>What a conditional create found.</summary>
public enum BlobCreateResult
{
    Created,

    /// <summary>A blob of that name existed; it was left unchanged.</summary>
    AlreadyExists,
}

/// <summary>
/// One blob container, in the terms our features need: write (overwrite or create-only), read, metadata, delete, list by prefix.
/// Missing blobs are answers (null, false), not exceptions; every other service error propagates as
/// <see cref="RequestFailedException"/>.
/// </summary>
/// <param name="container">The container.</param>
/// <param name="transfer">How uploads are split (the SDK's defaults when null): content above the initial transfer size goes
/// up as staged blocks and one commit, below it as a single Put Blob.</param>
public sealed class BlobContainerStore(BlobContainerClient container, StorageTransferOptions? transfer = null)
{
    private readonly StorageTransferOptions _transfer = transfer ?? default;

    public BlobContainerClient Client { get; } = container ?? throw new ArgumentNullException(nameof(container));

    public string ContainerName => Client.Name;

    /// <summary>Creates the container when it does not exist (tests, emulators; on Azure the Bicep template creates it).</summary>
    public async Task CreateContainerIfMissingAsync(CancellationToken cancellationToken) =>
        await Client.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);

    /// <summary>Writes the blob, replacing any existing one (content and metadata).</summary>
    public async Task UploadAsync(string name, Stream content, IReadOnlyDictionary<string, string>? metadata, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        await Client.GetBlobClient(RequireName(name))
            .UploadAsync(content, new BlobUploadOptions { Metadata = Copy(metadata), TransferOptions = _transfer }, cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>Writes the blob only if no blob of that name exists (<c>If-None-Match: *</c>), so concurrent writers of the same
    /// name cannot overwrite each other; an existing blob is <see cref="BlobCreateResult.AlreadyExists"/>.</summary>
    public async Task<BlobCreateResult> CreateAsync(string name, Stream content, IReadOnlyDictionary<string, string>? metadata, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var options = new BlobUploadOptions
        {
            Metadata = Copy(metadata),
            Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
            TransferOptions = _transfer,
        };
        try
        {
            await Client.GetBlobClient(RequireName(name)).UploadAsync(content, options, cancellationToken).ConfigureAwait(false);
            return BlobCreateResult.Created;
        }
        catch (RequestFailedException ex) when (IsExistingBlob(ex))
        {
            return BlobCreateResult.AlreadyExists;
        }
    }

    /// <summary>The blob's content as a stream the caller disposes, or null when the blob does not exist.</summary>
    public async Task<Stream?> OpenReadAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            var download = await Client.GetBlobClient(RequireName(name))
                .DownloadStreamingAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            return download.Value.Content;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    /// <summary>The blob's metadata (names compared case-insensitively, as the service does), or null when it does not exist.</summary>
    public async Task<IReadOnlyDictionary<string, string>?> GetMetadataAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            var properties = await Client.GetBlobClient(RequireName(name))
                .GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            return new Dictionary<string, string>(properties.Value.Metadata, StringComparer.OrdinalIgnoreCase);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    /// <summary>Deletes the blob (and its snapshots); false when it did not exist.</summary>
    public async Task<bool> DeleteAsync(string name, CancellationToken cancellationToken)
    {
        var response = await Client.GetBlobClient(RequireName(name))
            .DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.Value;
    }

    /// <summary>Names of the blobs that start with <paramref name="prefix"/> (all when empty), in the service's lexicographic
    /// order; pages are fetched as the caller enumerates.</summary>
    public async IAsyncEnumerable<string> ListAsync(string? prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // 12.30 moved listing options into GetBlobsOptions (the traits/states/prefix overload remains for older callers).
        var options = new GetBlobsOptions { Prefix = string.IsNullOrEmpty(prefix) ? null : prefix };
        await foreach (var blob in Client.GetBlobsAsync(options, cancellationToken).ConfigureAwait(false))
        {
            yield return blob.Name;
        }
    }

    /// <summary>With <c>If-None-Match: *</c> only an existing blob can fail the condition. Put Blob answers 409
    /// <c>BlobAlreadyExists</c> (as Azurite does for block-list commits too, see the contract tests); a failed condition is
    /// otherwise 412 <c>ConditionNotMet</c> (learn.microsoft.com/rest/api/storageservices/specifying-conditional-headers-for-blob-service-operations),
    /// which here means the same.</summary>
    private static bool IsExistingBlob(RequestFailedException ex) =>
        (ex.Status == 409 && ex.ErrorCode == BlobErrorCode.BlobAlreadyExists.ToString())
        || (ex.Status == 412 && ex.ErrorCode == BlobErrorCode.ConditionNotMet.ToString());

    private static string RequireName(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return name;
    }

    private static Dictionary<string, string>? Copy(IReadOnlyDictionary<string, string>? metadata) =>
        metadata is null || metadata.Count == 0 ? null : new Dictionary<string, string>(metadata, StringComparer.OrdinalIgnoreCase);
}
