using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using RagFunctions.Core.Ingestion;
using RagFunctions.Core.Ingestion.Catalog;
using RagFunctions.Core.Ingestion.Embedding;
using RagFunctions.Core.Ingestion.Extraction;
using RagFunctions.Core.Ingestion.Staging;
using RagFunctions.Core.Ingestion.Workflow;
using RagFunctions.Core.Retrieval;

namespace RagFunctions.Core.Tests.Ingestion.Duplicates;

/// <summary>The shared ingestion core (intake, workflow, activities, duplicate rule, real extractors, chunker and lexical
/// embedder) over in-memory ports, driven the way both hosts drive it: accept, then run the workflow in process.</summary>
internal sealed class DuplicateHarness : IDisposable
{
    private readonly ServiceProvider _services;

    public DuplicateHarness()
    {
        var configuration = new ConfigurationBuilder().Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IDocumentSource>(Files);
        services.AddSingleton<IDocumentCatalog>(Catalog);
        services.AddSingleton<ISearchIndex>(Index);
        services.AddSingleton<IIngestionStaging>(new MemoryStaging());
        services.AddSingleton<IDocumentRequeue>(Requeued);
        services.AddDocumentExtraction();
        services.AddLocalEmbeddings(configuration);
        services.AddIngestionCore();
        _services = services.BuildServiceProvider();
    }

    public MemoryFiles Files { get; } = new();

    public MemoryCatalog Catalog { get; } = new();

    public MemoryIndex Index { get; } = new();

    public RecordingRequeue Requeued { get; } = new();

    public IngestionIntake Intake => _services.GetRequiredService<IngestionIntake>();

    public IngestionActivities Activities => _services.GetRequiredService<IngestionActivities>();

    /// <summary>Writes the file and ingests it; <paramref name="afterBegin"/> holds the run between begin and extraction.</summary>
    public async Task<IngestionOutcome?> DropAsync(string path, string content, Task? afterBegin = null)
    {
        Files.Put(path, content);
        return await IngestAsync(path, afterBegin);
    }

    public async Task<IngestionOutcome?> IngestAsync(string path, Task? afterBegin = null)
    {
        var bytes = Files.Bytes(path);
        var request = await Intake.AcceptAsync(path, Convert.ToHexStringLower(SHA256.HashData(bytes)), bytes.Length, CancellationToken.None);
        if (request is null)
        {
            return null;
        }

        using var inner = new InProcessWorkflowContext(Activities, 2, CancellationToken.None);
        return await IngestionWorkflow.RunAsync(new GatedContext(inner, afterBegin), request);
    }

    /// <summary>Deletes the file and its document, as the drop-folder watcher or the blob-deleted trigger does.</summary>
    public async Task DeleteAsync(string path)
    {
        Files.Remove(path);
        await Intake.RemoveBySourcePathAsync(path, CancellationToken.None);
    }

    /// <summary>Runs what the rule asked the host to ingest again (the local queue / a rewritten blob would).</summary>
    public async Task DrainRequeuedAsync()
    {
        while (Requeued.TryTake(out var path))
        {
            await IngestAsync(path);
        }
    }

    public DocumentRecord Record(string path) => Catalog.Get(DocumentIds.FromSourcePath(path))!;

    public void Dispose() => _services.Dispose();

    private sealed class GatedContext(IWorkflowContext inner, Task? afterBegin) : IWorkflowContext
    {
        public async Task<TResult> CallActivityAsync<TResult>(string activityName, object? input)
        {
            var result = await inner.CallActivityAsync<TResult>(activityName, input);
            if (activityName == IngestionActivityNames.Begin && afterBegin is not null)
            {
                await afterBegin;
            }

            return result;
        }
    }
}

internal sealed class MemoryFiles : IDocumentSource
{
    private readonly ConcurrentDictionary<string, byte[]> _files = new(StringComparer.Ordinal);

    public void Put(string path, string content) => _files[path] = Encoding.UTF8.GetBytes(content);

    public void Remove(string path) => _files.TryRemove(path, out _);

    public byte[] Bytes(string path) => _files[path];

    public Task<Stream?> OpenReadAsync(string sourcePath, CancellationToken cancellationToken) =>
        Task.FromResult<Stream?>(_files.TryGetValue(sourcePath, out var bytes) ? new MemoryStream(bytes) : null);
}

internal sealed class MemoryCatalog : IDocumentCatalog
{
    private readonly ConcurrentDictionary<string, DocumentRecord> _records = new(StringComparer.Ordinal);

    /// <summary>Lookups by hash served (proves the rule uses the catalog's hash query, not a full list).</summary>
    public int HashLookups;

    public DocumentRecord? Get(string id) => _records.GetValueOrDefault(id);

    public IReadOnlyList<DocumentRecord> All => [.. _records.Values.OrderBy(r => r.Id, StringComparer.Ordinal)];

    public Task<DocumentRecord?> GetAsync(string documentId, CancellationToken cancellationToken) => Task.FromResult(Get(documentId));

    public Task<IReadOnlyList<DocumentRecord>> ListAsync(CancellationToken cancellationToken) => Task.FromResult(All);

    public Task UpsertAsync(DocumentRecord record, CancellationToken cancellationToken)
    {
        _records[record.Id] = record;
        return Task.CompletedTask;
    }

    public Task DeleteAsync(string documentId, CancellationToken cancellationToken)
    {
        _records.TryRemove(documentId, out _);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<DocumentRecord>> FindByContentHashAsync(string contentHash, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref HashLookups);
        return Task.FromResult<IReadOnlyList<DocumentRecord>>([.. All.Where(r => r.ContentHash == contentHash)]);
    }
}

/// <summary>Chunks per document; a keyword search returns every chunk containing the word (enough to see pairs).</summary>
internal sealed class MemoryIndex : ISearchIndex
{
    private readonly ConcurrentDictionary<string, IReadOnlyList<IndexedChunk>> _documents = new(StringComparer.Ordinal);

    public IReadOnlyCollection<string> DocumentIds => [.. _documents.Keys];

    public int ChunksOf(string documentId) => _documents.TryGetValue(documentId, out var chunks) ? chunks.Count : 0;

    /// <summary>Source paths of the chunks that contain <paramref name="word"/>, one entry per chunk.</summary>
    public IReadOnlyList<string> Find(string word) =>
        [.. _documents.Values.SelectMany(c => c).Where(c => c.Chunk.Content.Contains(word, StringComparison.OrdinalIgnoreCase)).Select(c => c.Chunk.SourcePath)];

    public Task EnsureReadyAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task ReplaceDocumentChunksAsync(string documentId, IReadOnlyList<IndexedChunk> chunks, CancellationToken cancellationToken)
    {
        _documents[documentId] = chunks;
        return Task.CompletedTask;
    }

    public Task DeleteDocumentAsync(string documentId, CancellationToken cancellationToken)
    {
        _documents.TryRemove(documentId, out _);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<SearchHit>> SearchAsync(HybridQuery query, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<IndexStats> GetStatsAsync(CancellationToken cancellationToken) =>
        Task.FromResult(new IndexStats(_documents.Count, _documents.Values.Sum(c => c.Count), 384, "memory"));
}

internal sealed class RecordingRequeue : IDocumentRequeue
{
    private readonly ConcurrentQueue<string> _paths = new();

    public IReadOnlyList<string> Paths => [.. _paths];

    public bool TryTake(out string path) => _paths.TryDequeue(out path!);

    public Task RequeueAsync(string sourcePath, CancellationToken cancellationToken)
    {
        _paths.Enqueue(sourcePath);
        return Task.CompletedTask;
    }
}

internal sealed class MemoryStaging : IIngestionStaging
{
    private readonly ConcurrentDictionary<(string Run, string Name), byte[]> _items = new();

    public Task PutAsync(string runId, string name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        _items[(runId, name)] = content.ToArray();
        return Task.CompletedTask;
    }

    public Task<byte[]?> GetAsync(string runId, string name, CancellationToken cancellationToken) =>
        Task.FromResult(_items.GetValueOrDefault((runId, name)));

    public Task DeleteRunAsync(string runId, CancellationToken cancellationToken)
    {
        foreach (var key in _items.Keys.Where(k => k.Run == runId))
        {
            _items.TryRemove(key, out _);
        }

        return Task.CompletedTask;
    }
}
