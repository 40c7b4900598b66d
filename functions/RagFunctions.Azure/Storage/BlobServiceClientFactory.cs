using Azure.Core;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;

namespace RagFunctions.Azure.Storage;

/// <summary>The <see cref="BlobServiceClient"/> of a Functions connection (by default <c>AzureWebJobsStorage</c>, the account
/// the blob trigger watches), read from the settings the Functions host itself uses: <c>{connection}__blobServiceUri</c> or
/// <c>{connection}__accountName</c> with the shared Entra ID credential (learn.microsoft.com/azure/azure-functions/
/// functions-reference "Connecting to host storage with an identity"), or the plain connection string (Azurite).</summary>
public static class BlobServiceClientFactory
{
    public const string DefaultConnectionName = "AzureWebJobsStorage";

    /// <param name="connection">The connection's configuration section.</param>
    /// <param name="options">Client options (service version), see <see cref="BlobStorageOptions.ToClientOptions"/>.</param>
    /// <param name="credential">Asked for only when the connection is identity-based.</param>
    public static BlobServiceClient Create(IConfigurationSection connection, BlobClientOptions options, Func<TokenCredential> credential)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(credential);
        if (connection["blobServiceUri"] is { Length: > 0 } serviceUri)
        {
            return new BlobServiceClient(new Uri(serviceUri.Trim()), credential(), options);
        }

        if (connection["accountName"] is { Length: > 0 } account)
        {
            return new BlobServiceClient(new Uri($"https://{account.Trim()}.blob.core.windows.net"), credential(), options);
        }

        if (connection.Value is { Length: > 0 } connectionString)
        {
            return new BlobServiceClient(connectionString, options);
        }

        throw new InvalidOperationException(
            $"{connection.Key}__accountName (or {connection.Key}__blobServiceUri, or a {connection.Key} connection string) is not configured: documents are stored in Blob Storage.");
    }
}
