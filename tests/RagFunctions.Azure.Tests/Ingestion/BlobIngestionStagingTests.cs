using Azure.Storage.Blobs;
using Microsoft.Extensions.DependencyInjection;
using RagFunctions.Azure.Ingestion;
using RagFunctions.Azure.Storage;
using RagFunctions.Azure.Tests.Storage;
using RagFunctions.Core.Ingestion.Chunking;
using RagFunctions.Core.Ingestion.Staging;

namespace RagFunctions.Azure.Tests.Ingestion;

/// <summary>The Functions app's ingestion staging (chunks and vectors per embedding batch, between activities) against Azurite,
/// wired as the app wires it (<c>AddBlobIngestionStaging</c>: the <c>ingestion-staging</c> container Bicep creates).
/// Every test uses its own run ids, so the shared container needs no clean-up between tests.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class BlobIngestionStagingTests(AzuriteBlobServer azurite) : IAsyncLifetime
{
    private static CancellationToken Ct => CancellationToken.None;

    private ServiceProvider _provider = null!;
    private BlobContainerClient _container = null!;
    private IIngestionStaging _staging = null!;

    public async Task InitializeAsync()
    {
        _provider = new ServiceCollection()
            .AddBlobIngestionStaging(BlobContainerStoreContractTests.Configuration(azurite))
            .BuildServiceProvider();
        _staging = _provider.GetRequiredService<IIngestionStaging>();
        // On Azure the container is part of the deployment (infra/modules/storage.bicep); the emulator starts empty.
        _container = _provider.GetRequiredService<BlobServiceClient>().GetBlobContainerClient(BlobIngestionStaging.ContainerName);
        await _container.CreateIfNotExistsAsync(cancellationToken: Ct);
    }

    public async Task DisposeAsync() => await _provider.DisposeAsync();

    private static string NewRun() => "run-" + Guid.NewGuid().ToString("N");

    [AzuriteFact]
    public async Task Staged_chunks_and_vectors_of_a_batch_read_back_exactly_from_the_staging_container()
    {
        var data = new StagedIngestionData(_staging);
        var run = NewRun();
        DocumentChunk[] chunks =
        [
            new("doc-1-0", "doc-1", 0, "Première ligne\tavec tabulation", "Guide", "users/alice/guide.md", 3, "Install › Linux", 0, 30, 9)
            {
                OwnerIds = ["alice"],
            },
            new("doc-1-1", "doc-1", 1, "second chunk — “quoted”", "Guide", "users/alice/guide.md", null, null, 30, 55, 7),
        ];
        float[][] vectors = [[0.25f, -1.5f, float.Epsilon], [1e-7f, 3.4e38f, -0f]];

        await data.PutChunksAsync(run, 4, chunks, Ct);
        await data.PutVectorsAsync(run, 4, vectors, Ct);

        var readChunks = await data.GetChunksAsync(run, 4, Ct);
        Assert.Equal(chunks.Length, readChunks.Count);
        for (var i = 0; i < chunks.Length; i++)
        {
            Assert.Equal(chunks[i] with { OwnerIds = [], GroupIds = [] }, readChunks[i] with { OwnerIds = [], GroupIds = [] });
            Assert.Equal(chunks[i].OwnerIds, readChunks[i].OwnerIds);
        }

        var readVectors = await data.GetVectorsAsync(run, 4, Ct);
        Assert.Equal(vectors.Select(v => v.Select(BitConverter.SingleToInt32Bits)), readVectors.Select(v => v.Select(BitConverter.SingleToInt32Bits)));
        // One blob per item under the run's folder, so an activity reads only its own batch.
        var names = new List<string>();
        await foreach (var blob in _container.GetBlobsAsync(new global::Azure.Storage.Blobs.Models.GetBlobsOptions { Prefix = run + "/" }, Ct))
        {
            names.Add(blob.Name);
        }

        Assert.Equal(2, names.Count);
    }

    [AzuriteFact]
    public async Task An_item_never_staged_is_null_and_the_typed_reader_names_the_missing_item()
    {
        var run = NewRun();

        Assert.Null(await _staging.GetAsync(run, "chunks-0", Ct));
        var error = await Assert.ThrowsAnyAsync<Exception>(() => new StagedIngestionData(_staging).GetChunksAsync(run, 0, Ct));
        Assert.Contains(run, error.Message, StringComparison.Ordinal);
    }

    [AzuriteFact]
    public async Task Putting_an_item_again_replaces_it_so_a_retried_activity_is_idempotent()
    {
        var run = NewRun();
        await _staging.PutAsync(run, "vectors-0", new byte[] { 1, 2, 3 }, Ct);

        await _staging.PutAsync(run, "vectors-0", new byte[] { 9 }, Ct);

        Assert.Equal(new byte[] { 9 }, await _staging.GetAsync(run, "vectors-0", Ct));
    }

    [AzuriteFact]
    public async Task Deleting_a_run_removes_all_its_items_and_nothing_of_a_run_whose_id_it_prefixes()
    {
        var run = NewRun();
        var longer = run + "0"; // "run-x" is a string prefix of "run-x0": only the "/" boundary keeps them apart.
        foreach (var name in new[] { "chunks-0", "chunks-1", "vectors-0" })
        {
            await _staging.PutAsync(run, name, new byte[] { 1 }, Ct);
        }

        await _staging.PutAsync(longer, "chunks-0", new byte[] { 2 }, Ct);

        await _staging.DeleteRunAsync(run, Ct);

        Assert.Null(await _staging.GetAsync(run, "chunks-0", Ct));
        Assert.Null(await _staging.GetAsync(run, "chunks-1", Ct));
        Assert.Null(await _staging.GetAsync(run, "vectors-0", Ct));
        Assert.Equal(new byte[] { 2 }, await _staging.GetAsync(longer, "chunks-0", Ct));
        await _staging.DeleteRunAsync(run, Ct); // a retried clean-up finds nothing and succeeds
    }

    [AzuriteTheory]
    [InlineData("../other-run")]
    [InlineData("run/nested")]
    [InlineData("run%2Fnested")]
    public async Task A_run_id_that_could_escape_its_folder_is_refused_before_any_request(string runId)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _staging.PutAsync(runId, "chunks-0", new byte[] { 1 }, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => _staging.DeleteRunAsync(runId, Ct));
    }
}
