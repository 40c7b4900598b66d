using System.Text;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using RagFunctions.Azure.Storage;

namespace RagFunctions.Azure.Tests.Storage;

/// <summary><see cref="BlobContainerStore"/> against Azurite, wired as the Functions app wires it: <c>AzureWebJobsStorage</c>
/// (here the emulator's connection string) and <c>RagFunctions:BlobStorage:ServiceVersion</c> pinned to a version Azurite accepts.
/// Each test works in its own container.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class BlobContainerStoreContractTests(AzuriteBlobServer azurite) : IAsyncLifetime
{
    private static CancellationToken Ct => CancellationToken.None;

    private ServiceProvider _provider = null!;
    private BlobContainerStore _store = null!;

    public async Task InitializeAsync()
    {
        _provider = new ServiceCollection().AddBlobStorage(Configuration(azurite)).BuildServiceProvider();
        var service = _provider.GetRequiredService<BlobServiceClient>();
        _store = new BlobContainerStore(service.GetBlobContainerClient("store-" + Guid.NewGuid().ToString("N")));
        await _store.CreateContainerIfMissingAsync(Ct);
    }

    public async Task DisposeAsync() => await _provider.DisposeAsync();

    internal static IConfiguration Configuration(AzuriteBlobServer azurite, string? serviceVersion = AzuriteBlobServer.ServiceVersion) =>
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["RagFunctions:BlobStorage:ServiceVersion"] = serviceVersion,
        }).Build();

    [AzuriteFact]
    public async Task An_uploaded_blob_reads_back_byte_for_byte()
    {
        var bytes = RandomBytes(300_000);

        await _store.UploadAsync("docs/a.pdf", new MemoryStream(bytes), metadata: null, Ct);

        Assert.Equal(bytes, await ReadAllAsync("docs/a.pdf"));
    }

    [AzuriteFact]
    public async Task Upload_replaces_an_existing_blob_with_its_new_content_and_metadata()
    {
        await _store.UploadAsync("a.txt", Text("first"), new Dictionary<string, string> { ["version"] = "1", ["stale"] = "yes" }, Ct);

        await _store.UploadAsync("a.txt", Text("second"), new Dictionary<string, string> { ["version"] = "2" }, Ct);

        Assert.Equal("second", Encoding.UTF8.GetString(await ReadAllAsync("a.txt")));
        var metadata = await _store.GetMetadataAsync("a.txt", Ct);
        Assert.Equal("2", metadata!["version"]);
        Assert.False(metadata.ContainsKey("stale"));
    }

    [AzuriteFact]
    public async Task Create_writes_a_new_blob()
    {
        var result = await _store.CreateAsync("new.json", Text("{}"), new Dictionary<string, string> { ["kind"] = "staged" }, Ct);

        Assert.Equal(BlobCreateResult.Created, result);
        Assert.Equal("{}", Encoding.UTF8.GetString(await ReadAllAsync("new.json")));
        Assert.Equal("staged", (await _store.GetMetadataAsync("new.json", Ct))!["kind"]);
    }

    [AzuriteFact]
    public async Task Create_over_an_existing_blob_is_already_exists_and_leaves_content_and_metadata_unchanged()
    {
        await _store.UploadAsync("taken.txt", Text("original"), new Dictionary<string, string> { ["owner"] = "first" }, Ct);

        var result = await _store.CreateAsync("taken.txt", Text("intruder"), new Dictionary<string, string> { ["owner"] = "second" }, Ct);

        Assert.Equal(BlobCreateResult.AlreadyExists, result);
        Assert.Equal("original", Encoding.UTF8.GetString(await ReadAllAsync("taken.txt")));
        Assert.Equal("first", (await _store.GetMetadataAsync("taken.txt", Ct))!["owner"]);
    }

    [AzuriteFact]
    public async Task The_service_answers_409_BlobAlreadyExists_to_If_None_Match_star_which_create_maps()
    {
        // The wire behaviour CreateAsync relies on, observed directly: Put Blob with If-None-Match: * on an existing blob.
        await _store.UploadAsync("x.txt", Text("x"), metadata: null, Ct);
        var options = new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } };

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => _store.Client.GetBlobClient("x.txt").UploadAsync(Text("y"), options, Ct));

        Assert.Equal(409, error.Status);
        Assert.Equal(BlobErrorCode.BlobAlreadyExists.ToString(), error.ErrorCode);
    }

    [AzuriteFact]
    public async Task Create_of_content_uploaded_in_blocks_is_also_already_exists_over_an_existing_blob()
    {
        // Above the initial transfer size the SDK stages blocks and commits a block list; the condition is checked at commit.
        var chunked = new BlobContainerStore(_store.Client, new global::Azure.Storage.StorageTransferOptions
        {
            InitialTransferSize = 64 * 1024,
            MaximumTransferSize = 64 * 1024,
        });
        var original = RandomBytes(200_000);
        Assert.Equal(BlobCreateResult.Created, await chunked.CreateAsync("big.bin", new MemoryStream(original), metadata: null, Ct));

        var second = await chunked.CreateAsync("big.bin", new MemoryStream(new byte[200_000]), metadata: null, Ct);

        Assert.Equal(BlobCreateResult.AlreadyExists, second);
        Assert.Equal(original, await ReadAllAsync("big.bin"));
    }

    [AzuriteFact]
    public async Task Of_two_concurrent_creates_of_one_name_exactly_one_wins()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            _store.CreateAsync("race.txt", Text("writer " + i), metadata: null, Ct)));

        Assert.Single(results, r => r == BlobCreateResult.Created);
        Assert.StartsWith("writer ", Encoding.UTF8.GetString(await ReadAllAsync("race.txt")), StringComparison.Ordinal);
    }

    [AzuriteFact]
    public async Task A_missing_blob_reads_as_null_and_has_no_metadata()
    {
        Assert.Null(await _store.OpenReadAsync("nope.pdf", Ct));
        Assert.Null(await _store.GetMetadataAsync("nope.pdf", Ct));
    }

    [AzuriteFact]
    public async Task Delete_removes_the_blob_and_reports_whether_there_was_one()
    {
        await _store.UploadAsync("gone.txt", Text("bye"), metadata: null, Ct);

        Assert.True(await _store.DeleteAsync("gone.txt", Ct));
        Assert.Null(await _store.OpenReadAsync("gone.txt", Ct));
        Assert.False(await _store.DeleteAsync("gone.txt", Ct));
    }

    [AzuriteFact]
    public async Task List_by_prefix_returns_only_the_blobs_under_it_in_name_order()
    {
        string[] names = ["staging/doc-2/0002.json", "staging/doc-1/0001.json", "staging/doc-1/0000.json", "staging/doc-10/0000.json", "other/doc-1.json"];
        foreach (var name in names)
        {
            await _store.UploadAsync(name, Text(name), metadata: null, Ct);
        }

        var underDoc1 = await ToListAsync(_store.ListAsync("staging/doc-1/", Ct));
        var all = await ToListAsync(_store.ListAsync(null, Ct));

        Assert.Equal(["staging/doc-1/0000.json", "staging/doc-1/0001.json"], underDoc1);
        Assert.Equal(names.Order(StringComparer.Ordinal), all);
        Assert.Empty(await ToListAsync(_store.ListAsync("missing/", Ct)));
    }

    [AzuriteFact]
    public async Task Metadata_round_trips_and_is_looked_up_case_insensitively()
    {
        var metadata = new Dictionary<string, string> { ["documentId"] = "doc-42", ["ContentHash"] = "sha256:abc", ["chunks"] = "17" };

        await _store.UploadAsync("meta.bin", new MemoryStream([1, 2, 3]), metadata, Ct);

        var read = await _store.GetMetadataAsync("meta.bin", Ct);
        Assert.Equal(3, read!.Count);
        Assert.Equal("doc-42", read["documentid"]);
        Assert.Equal("sha256:abc", read["contenthash"]);
        Assert.Equal("17", read["Chunks"]);
    }

    [AzuriteFact]
    public async Task The_configured_service_version_is_the_one_sent()
    {
        // Azurite refuses API versions newer than it knows: the SDK's default (2026-10-06) fails where the pinned version works,
        // which shows that RagFunctions:BlobStorage:ServiceVersion reaches the wire.
        await using var unpinned = new ServiceCollection().AddBlobStorage(Configuration(azurite, serviceVersion: null)).BuildServiceProvider();
        var container = unpinned.GetRequiredService<BlobServiceClient>().GetBlobContainerClient(_store.ContainerName);

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => new BlobContainerStore(container).OpenReadAsync("any", Ct));

        Assert.Equal(400, error.Status);
        Assert.Contains("API version", error.Message, StringComparison.Ordinal);
    }

    private async Task<byte[]> ReadAllAsync(string name)
    {
        await using var stream = await _store.OpenReadAsync(name, Ct);
        Assert.NotNull(stream);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy, Ct);
        return copy.ToArray();
    }

    private static MemoryStream Text(string text) => new(Encoding.UTF8.GetBytes(text));

    private static byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        new Random(7).NextBytes(bytes);
        return bytes;
    }

    private static async Task<List<string>> ToListAsync(IAsyncEnumerable<string> items)
    {
        var list = new List<string>();
        await foreach (var item in items)
        {
            list.Add(item);
        }

        return list;
    }
}
