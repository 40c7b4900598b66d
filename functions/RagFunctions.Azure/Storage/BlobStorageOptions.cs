using Azure.Storage.Blobs;

namespace RagFunctions.Azure.Storage;

/// <summary>Bound from <c>RagFunctions:BlobStorage</c>: how the Blob Storage adapters talk to the account. The account itself is
/// the Functions host's (<c>AzureWebJobsStorage</c>), see <see cref="BlobServiceClientFactory"/>.</summary>
public sealed class BlobStorageOptions
{
    public const string Section = "RagFunctions:BlobStorage";

    /// <summary>Blob REST API version (<c>x-ms-version</c>, e.g. <c>2026-06-06</c>); empty uses the SDK's newest (Azure).
    /// Set it for an emulator that refuses newer versions: Azurite 3.37 accepts up to 2026-06-06.</summary>
    public string ServiceVersion { get; set; } = string.Empty;

    /// <summary>Client options carrying <see cref="ServiceVersion"/>; throws naming the setting when the version is unknown
    /// to the SDK (the SDK's own enum is the list of versions it can speak).</summary>
    public BlobClientOptions ToClientOptions()
    {
        var configured = ServiceVersion?.Trim();
        if (string.IsNullOrEmpty(configured))
        {
            return new BlobClientOptions();
        }

        var name = "V" + configured.Replace('-', '_');
        if (!Enum.TryParse<BlobClientOptions.ServiceVersion>(name, ignoreCase: false, out var version)
            || !Enum.IsDefined(version) || !configured.Contains('-', StringComparison.Ordinal))
        {
            var known = string.Join(", ", Enum.GetNames<BlobClientOptions.ServiceVersion>().Select(n => n[1..].Replace('_', '-')));
            throw new InvalidOperationException(
                $"{Section}:{nameof(ServiceVersion)} '{configured}' is not a Blob service version this SDK supports ({known}); leave it empty for the newest.");
        }

        return new BlobClientOptions(version);
    }
}
