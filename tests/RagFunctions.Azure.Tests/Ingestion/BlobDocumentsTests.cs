using System.Text;
using Microsoft.Extensions.DependencyInjection;
using RagFunctions.Azure.Ingestion;
using RagFunctions.Azure.Storage;
using RagFunctions.Azure.Tests.Storage;
using RagFunctions.Core.Common;
using RagFunctions.Core.Ingestion;

namespace RagFunctions.Azure.Tests.Ingestion;

/// <summary>The ingestion ports on Blob Storage (Azurite), resolved through <see cref="BlobStorageServiceCollectionExtensions.AddBlobDocuments"/>
/// as the Functions app registers them.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class BlobDocumentsTests(AzuriteBlobServer azurite) : IAsyncLifetime
{
    private static CancellationToken Ct => CancellationToken.None;

    private readonly string _container = "documents-" + Guid.NewGuid().ToString("N")[..12];
    private ServiceProvider _provider = null!;

    private IDocumentDropBox DropBox => _provider.GetRequiredService<IDocumentDropBox>();

    private IDocumentSource Source => _provider.GetRequiredService<IDocumentSource>();

    public async Task InitializeAsync()
    {
        _provider = new ServiceCollection()
            .AddSingleton<IDocumentSource>(new Moq.Mock<IDocumentSource>().Object) // a local default the Azure wiring must replace
            .AddBlobDocuments(BlobContainerStoreContractTests.Configuration(azurite), _container)
            .BuildServiceProvider();
        await _provider.GetRequiredService<DocumentsContainer>().Store.CreateContainerIfMissingAsync(Ct);
    }

    public async Task DisposeAsync() => await _provider.DisposeAsync();

    [AzuriteFact]
    public void The_blob_adapters_replace_local_ones_and_use_the_named_container()
    {
        Assert.IsType<BlobDocumentSource>(Source);
        Assert.IsType<BlobDocumentDropBox>(DropBox);
        Assert.Single(_provider.GetServices<IDocumentSource>());
        Assert.Equal(_container, _provider.GetRequiredService<DocumentsContainer>().Store.ContainerName);
    }

    [AzuriteFact]
    public async Task A_saved_upload_is_readable_under_the_returned_source_path()
    {
        var path = await DropBox.SaveAsync("report.md", Text("# Title"), Ct);

        Assert.Equal("report.md", path);
        Assert.Equal("# Title", await ReadAsync(path));
    }

    [AzuriteFact]
    public async Task Client_folders_and_unsafe_characters_never_reach_the_blob_name()
    {
        var path = await DropBox.SaveAsync("../../secret/..\\evil:name?.txt", Text("x"), Ct);

        Assert.Equal("evil_name_.txt", path);
        Assert.Equal([path], await ToListAsync(_provider.GetRequiredService<DocumentsContainer>().Store.ListAsync(null, Ct)));
    }

    [AzuriteFact]
    public async Task A_second_upload_of_the_same_name_replaces_the_first()
    {
        await DropBox.SaveAsync("notes.txt", Text("old"), Ct);

        var path = await DropBox.SaveAsync("notes.txt", Text("new"), Ct);

        Assert.Equal("new", await ReadAsync(path));
    }

    [AzuriteFact]
    public async Task Create_only_uploads_of_one_new_name_in_parallel_store_exactly_one_whole()
    {
        var contents = Enumerable.Range(1, 8).Select(i => $"timetable {i}: " + new string((char)('a' + i), 4096)).ToList();
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var racing = contents.Select(async content =>
        {
            await go.Task;
            try
            {
                return (content, path: await DropBox.CreateAsync("users/alice", "race.md", Text(content), Ct), taken: (string?)null);
            }
            catch (DocumentExistsException ex)
            {
                return (content, path: (string?)null, taken: ex.SourcePath);
            }
        }).ToList();
        go.SetResult();
        var outcomes = await Task.WhenAll(racing);

        var winner = Assert.Single(outcomes, o => o.path is not null);
        Assert.Equal("users/alice/race.md", winner.path);
        Assert.All(outcomes.Where(o => o.path is null), o => Assert.Equal("users/alice/race.md", o.taken));
        Assert.Equal(winner.content, await ReadAsync(winner.path!));
    }

    [AzuriteFact]
    public async Task Create_only_upload_of_an_existing_name_leaves_the_blob_unchanged()
    {
        await DropBox.SaveAsync("notes.txt", Text("old"), Ct);

        var taken = await Assert.ThrowsAsync<DocumentExistsException>(() => DropBox.CreateAsync("", "notes.txt", Text("new"), Ct));

        Assert.Equal("notes.txt", taken.SourcePath);
        Assert.Equal("old", await ReadAsync("notes.txt"));
    }

    [AzuriteFact]
    public async Task An_empty_file_name_is_a_validation_problem_and_writes_nothing()
    {
        await Assert.ThrowsAsync<ValidationProblemException>(() => DropBox.SaveAsync("../..", Text("x"), Ct));

        Assert.Empty(await ToListAsync(_provider.GetRequiredService<DocumentsContainer>().Store.ListAsync(null, Ct)));
    }

    [AzuriteFact]
    public async Task A_deleted_document_reads_as_gone_and_deleting_again_is_no_error()
    {
        var path = await DropBox.SaveAsync("old.txt", Text("x"), Ct);

        await DropBox.DeleteAsync(path, Ct);
        await DropBox.DeleteAsync(path, Ct);

        Assert.Null(await Source.OpenReadAsync(path, Ct));
    }

    [AzuriteFact]
    public async Task A_path_that_never_existed_reads_as_gone()
    {
        Assert.Null(await Source.OpenReadAsync("folder/never.pdf", Ct));
    }

    private async Task<string> ReadAsync(string path)
    {
        await using var stream = await Source.OpenReadAsync(path, Ct);
        Assert.NotNull(stream);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadToEndAsync(Ct);
    }

    private static MemoryStream Text(string text) => new(Encoding.UTF8.GetBytes(text));

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
