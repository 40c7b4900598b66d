using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using RagFunctions.Azure.Storage;
using RagFunctions.Azure.Tests.Http;

namespace RagFunctions.Azure.Tests.Storage;

/// <summary>How the blob client is configured: service version and which account/credential (no network: clients connect lazily).</summary>
public sealed class BlobStorageOptionsTests
{
    [Fact]
    public void An_empty_service_version_keeps_the_sdk_default()
    {
        var fromEmpty = new BlobStorageOptions().ToClientOptions();

        Assert.Equal(new BlobClientOptions().Version, fromEmpty.Version);
    }

    [Theory]
    [InlineData("2026-06-06", BlobClientOptions.ServiceVersion.V2026_06_06)]
    [InlineData(" 2025-01-05 ", BlobClientOptions.ServiceVersion.V2025_01_05)]
    public void A_configured_service_version_is_used(string configured, BlobClientOptions.ServiceVersion expected) =>
        Assert.Equal(expected, new BlobStorageOptions { ServiceVersion = configured }.ToClientOptions().Version);

    [Theory]
    [InlineData("2099-01-01")]
    [InlineData("latest")]
    [InlineData("2026_06_06")]
    [InlineData("1")]
    public void An_unknown_service_version_fails_naming_the_setting(string configured)
    {
        var error = Assert.Throws<InvalidOperationException>(() => new BlobStorageOptions { ServiceVersion = configured }.ToClientOptions());

        Assert.Contains("RagFunctions:BlobStorage:ServiceVersion", error.Message, StringComparison.Ordinal);
        Assert.Contains("2026-06-06", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_account_name_means_the_public_endpoint_with_the_shared_credential()
    {
        var credential = new FixedTokenCredential();
        using var provider = Provider(new() { ["AzureWebJobsStorage:accountName"] = "ragdocs" }, credential);

        var client = provider.GetRequiredService<BlobServiceClient>();

        Assert.Equal(new Uri("https://ragdocs.blob.core.windows.net/"), client.Uri);
        Assert.Equal("ragdocs", client.AccountName);
        Assert.False(client.CanGenerateAccountSasUri); // token credential, no key
    }

    [Fact]
    public void A_blob_service_uri_wins_over_the_account_name()
    {
        using var provider = Provider(new()
        {
            ["AzureWebJobsStorage:blobServiceUri"] = "https://custom.example.net/",
            ["AzureWebJobsStorage:accountName"] = "ragdocs",
        }, new FixedTokenCredential());

        Assert.Equal(new Uri("https://custom.example.net/"), provider.GetRequiredService<BlobServiceClient>().Uri);
    }

    [Fact]
    public void No_storage_setting_fails_naming_the_settings()
    {
        using var provider = Provider([], new FixedTokenCredential());

        var error = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<BlobServiceClient>());

        Assert.Contains("AzureWebJobsStorage__accountName", error.Message, StringComparison.Ordinal);
    }

    private static ServiceProvider Provider(Dictionary<string, string?> settings, FixedTokenCredential credential) =>
        new ServiceCollection()
            .AddSingleton<global::Azure.Core.TokenCredential>(credential)
            .AddBlobStorage(new ConfigurationBuilder().AddInMemoryCollection(settings).Build())
            .BuildServiceProvider();
}
