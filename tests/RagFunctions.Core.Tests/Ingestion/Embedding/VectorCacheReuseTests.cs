using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RagFunctions.Core.Ingestion;
using RagFunctions.Core.Ingestion.Catalog;
using RagFunctions.Core.Ingestion.Chunking;
using RagFunctions.Core.Ingestion.Embedding;
using RagFunctions.Core.Ingestion.Extraction;
using RagFunctions.Core.Ingestion.Staging;
using RagFunctions.Core.Ingestion.Workflow;
using RagFunctions.Core.Retrieval;
using RagFunctions.Core.Tests.Ingestion.Duplicates;

namespace RagFunctions.Core.Tests.Ingestion.Embedding;

/// <summary>Vector cache reuse on an edit: the ingestion workflow, run in process over in-memory ports, embeds only chunks whose
/// embedded text (title and heading included) this embedder has not embedded before.</summary>
public sealed class VectorCacheReuseTests
{
    private const string Path = "handbook/orchard.md";
    private const string ModelA = "counting-model-a";

    private static readonly string[] Sections = ["Planting", "Pruning", "Harvest", "Storage", "Pests", "Tools"];

    /// <summary>A multi-section Markdown handbook; <paramref name="edit"/> replaces one paragraph's text.</summary>
    private static string Handbook(string title = "Orchard handbook", (int Section, string Text)? edit = null)
    {
        var text = new StringBuilder($"---\ntitle: {title}\n---\n\n");
        for (var s = 0; s < Sections.Length; s++)
        {
            text.Append($"## {Sections[s]}\n\n");
            for (var p = 0; p < 3; p++)
            {
                var paragraph = edit is { } e && e.Section == s && p == 1
                    ? e.Text
                    : string.Join(' ', Enumerable.Range(0, 40).Select(w => $"{Sections[s].ToLowerInvariant()}{p}word{w}")) + ".";
                text.Append(paragraph).Append("\n\n");
            }
        }

        return text.ToString();
    }

    [Fact]
    public async Task An_edited_paragraph_re_embeds_only_its_chunks_and_the_index_matches_a_from_scratch_embed()
    {
        var store = new SharedStores();
        var first = await store.IngestAsync(Handbook(), ModelA);
        Assert.True(first.ChunkCount >= 6, $"the handbook should make several chunks, made {first.ChunkCount}");
        Assert.Equal(first.ChunkCount, first.EmbedderInputs.Count);
        Assert.Equal(new EmbeddingCounts(first.ChunkCount, 0), first.Record.Embedding);

        var edited = Handbook(edit: (3, "Apples keep for months in a cool cellar quillwort when they are wrapped one by one in paper."));
        var second = await store.IngestAsync(edited, ModelA);

        // Only the chunk(s) holding the edited paragraph reach the embedder; every other chunk reuses its vector.
        Assert.NotEmpty(second.EmbedderInputs);
        Assert.All(second.EmbedderInputs, input => Assert.Contains("quillwort", input, StringComparison.Ordinal));
        Assert.True(second.EmbedderInputs.Count <= 2, $"embedded {second.EmbedderInputs.Count} of {second.ChunkCount} chunks");
        Assert.Equal(new EmbeddingCounts(second.EmbedderInputs.Count, second.ChunkCount - second.EmbedderInputs.Count), second.Record.Embedding);

        // The index holds, for every chunk, exactly the vector a fresh index with no cache gets for the edited document.
        var scratch = new SharedStores();
        var fresh = await scratch.IngestAsync(edited, ModelA);
        Assert.Equal(fresh.ChunkCount, fresh.EmbedderInputs.Count);
        var reused = store.Index.Chunks(second.Record.Id);
        var expected = scratch.Index.Chunks(fresh.Record.Id);
        Assert.Equal(expected.Select(c => c.Chunk.Id), reused.Select(c => c.Chunk.Id));
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Chunk.Content, reused[i].Chunk.Content);
            Assert.Equal(expected[i].Vector.ToArray(), reused[i].Vector.ToArray());
        }
    }

    [Fact]
    public async Task Another_embedder_identity_gets_no_hits()
    {
        var store = new SharedStores();
        var first = await store.IngestAsync(Handbook(), ModelA);

        // Same text, same index; only the model differs: none of model A's vectors may serve model B.
        var other = await store.IngestAsync(Handbook(edit: (0, "Plant in autumn.")), "counting-model-b");

        Assert.Equal(other.ChunkCount, other.EmbedderInputs.Count);
        Assert.Equal(new EmbeddingCounts(other.ChunkCount, 0), other.Record.Embedding);
        Assert.True(first.ChunkCount > 0);
    }

    [Fact]
    public async Task A_changed_title_re_embeds_every_chunk()
    {
        var store = new SharedStores();
        var first = await store.IngestAsync(Handbook(), ModelA);

        var renamed = await store.IngestAsync(Handbook(title: "Fruit garden handbook"), ModelA);

        Assert.Equal(first.ChunkCount, renamed.ChunkCount);
        Assert.Equal(renamed.ChunkCount, renamed.EmbedderInputs.Count);
        Assert.All(renamed.EmbedderInputs, input => Assert.StartsWith("Fruit garden handbook", input, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_failing_cache_costs_only_the_reuse()
    {
        var store = new SharedStores { FailLookups = true };
        await store.IngestAsync(Handbook(), ModelA);

        var again = await store.IngestAsync(Handbook(edit: (2, "Pick pears before they are ripe.")), ModelA);

        Assert.Equal(IngestionOutcomeKind.Indexed, again.Outcome.Kind);
        Assert.Equal(again.ChunkCount, again.EmbedderInputs.Count);
    }

    [Fact]
    public void The_text_hash_is_the_sha256_of_the_contextualised_text()
    {
        var chunk = new DocumentChunk("d-0", "d", 0, "Body text.", "Title", "a.md", null, "Heading", 0, 10, 3);

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("Title › Heading\n\nBody text."))), ChunkTextHash.Of(chunk));
        Assert.NotEqual(ChunkTextHash.Of(chunk), ChunkTextHash.Of(chunk with { Title = "Other" }));
        Assert.Equal(ChunkTextHash.Of(chunk), ChunkTextHash.Of(chunk with { Ordinal = 7, Id = "d-7", Page = 3 }));
    }

    private sealed record Run(IngestionOutcome Outcome, DocumentRecord Record, int ChunkCount, IReadOnlyList<string> EmbedderInputs);

    /// <summary>The stores that outlive a worker (catalog, index, source); each ingestion gets fresh services around them.</summary>
    private sealed class SharedStores
    {
        public MemoryIndex Index { get; } = new();

        public MemoryCatalog Catalog { get; } = new();

        public bool FailLookups
        {
            get => Index.FailLookups;
            init => Index.FailLookups = value;
        }

        public async Task<Run> IngestAsync(string markdown, string model)
        {
            var bytes = Encoding.UTF8.GetBytes(markdown);
            var embedder = new CountingEmbedder(model);
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                // Small chunks and batches: a few paragraphs make many chunks in several batches.
                ["RagFunctions:Chunking:MaxTokens"] = "80",
                ["RagFunctions:Chunking:OverlapTokens"] = "0",
                ["RagFunctions:Embedding:MaxBatchInputs"] = "4",
                ["RagFunctions:Embedding:Dimensions"] = "64",
            }).Build();
            var services = new ServiceCollection();
            services.AddSingleton<IConfiguration>(configuration);
            services.AddLogging();
            services.AddDocumentExtraction();
            services.AddLocalEmbeddings(configuration);
            services.UseInnerEmbeddingGenerator(_ => embedder);
            services.AddIngestionCore();
            services.AddSingleton<IDocumentSource>(new MemorySource(Path, bytes));
            services.AddSingleton<IDocumentCatalog>(Catalog);
            services.AddSingleton<IIngestionStaging, MemoryStaging>();
            services.AddSingleton<ISearchIndex>(Index);
            services.AddSingleton<IVectorCache>(Index);
            // One document per run: no duplicate is ever promoted, so nothing is requeued.
            services.AddSingleton(Moq.Mock.Of<IDocumentRequeue>(Moq.MockBehavior.Strict));
            await using var provider = services.BuildServiceProvider();
            Index.EmbedderId = EmbedderIdentity.Of(provider.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>(), 64);

            var activities = provider.GetRequiredService<IngestionActivities>();
            using var context = new InProcessWorkflowContext(activities, maxParallelEmbeddings: 2, CancellationToken.None);
            var request = new IngestionRequest(Path, Convert.ToHexStringLower(SHA256.HashData(bytes)) + model, bytes.Length, DateTimeOffset.UtcNow);
            var outcome = await IngestionWorkflow.RunAsync(context, request);
            Assert.Equal(IngestionOutcomeKind.Indexed, outcome.Kind);
            var record = (await Catalog.GetAsync(outcome.DocumentId, CancellationToken.None))!;
            return new Run(outcome, record, record.ChunkCount, [.. embedder.Inputs]);
        }
    }

    /// <summary>A deterministic embedder (hashed n-grams) that names its model and records every text it is asked to embed.</summary>
    private sealed class CountingEmbedder(string model) : IEmbeddingGenerator<string, Embedding<float>>
    {
        private readonly HashedNgramEmbedder _inner = new(Options.Create(new EmbeddingOptions { Dimensions = 64 }));

        public ConcurrentQueue<string> Inputs { get; } = new();

        public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            var texts = values.ToArray();
            foreach (var text in texts)
            {
                Inputs.Enqueue(text);
            }

            return await _inner.GenerateAsync(texts, options, cancellationToken);
        }

        public object? GetService(Type serviceType, object? serviceKey = null) =>
            serviceType == typeof(EmbeddingGeneratorMetadata) ? new EmbeddingGeneratorMetadata("test", null, model, 64) : _inner.GetService(serviceType, serviceKey);

        public void Dispose() => _inner.Dispose();
    }

    /// <summary>An index that, like both hosts' adapters, records which embedder made each vector and the hash of the text it
    /// embedded, and serves as the vector cache from those rows.</summary>
    private sealed class MemoryIndex : ISearchIndex, IVectorCache
    {
        private readonly ConcurrentDictionary<string, IReadOnlyList<(IndexedChunk Chunk, string? Model, string Hash)>> _documents = new();

        public string? EmbedderId { get; set; }

        public bool FailLookups { get; set; }

        public IReadOnlyList<IndexedChunk> Chunks(string documentId) => [.. _documents[documentId].Select(r => r.Chunk)];

        public Task ReplaceDocumentChunksAsync(string documentId, IReadOnlyList<IndexedChunk> chunks, CancellationToken cancellationToken)
        {
            _documents[documentId] = [.. chunks.Select(c => (new IndexedChunk(c.Chunk, c.Vector.ToArray()), EmbedderId, ChunkTextHash.Of(c.Chunk)))];
            return Task.CompletedTask;
        }

        public Task<IReadOnlyDictionary<string, ReadOnlyMemory<float>>> FindAsync(string embedderId, IReadOnlyCollection<string> textHashes, CancellationToken cancellationToken)
        {
            if (FailLookups)
            {
                throw new InvalidOperationException("cache store unavailable");
            }

            var wanted = textHashes.ToHashSet(StringComparer.Ordinal);
            var found = new Dictionary<string, ReadOnlyMemory<float>>(StringComparer.Ordinal);
            foreach (var row in _documents.Values.SelectMany(d => d).Where(r => r.Model == embedderId && wanted.Contains(r.Hash)))
            {
                found.TryAdd(row.Hash, row.Chunk.Vector.ToArray());
            }

            return Task.FromResult<IReadOnlyDictionary<string, ReadOnlyMemory<float>>>(found);
        }

        public Task DeleteDocumentAsync(string documentId, CancellationToken cancellationToken)
        {
            _documents.TryRemove(documentId, out _);
            return Task.CompletedTask;
        }

        public Task EnsureReadyAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<IReadOnlyList<SearchHit>> SearchAsync(HybridQuery query, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IndexStats> GetStatsAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
    }

    private sealed class MemorySource(string path, byte[] content) : IDocumentSource
    {
        public Task<Stream?> OpenReadAsync(string sourcePath, CancellationToken cancellationToken) =>
            Task.FromResult<Stream?>(sourcePath == path ? new MemoryStream(content, writable: false) : null);
    }

    private sealed class MemoryStaging : IIngestionStaging
    {
        private readonly ConcurrentDictionary<string, byte[]> _items = new();

        public Task PutAsync(string runId, string name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
        {
            _items[$"{runId}/{name}"] = content.ToArray();
            return Task.CompletedTask;
        }

        public Task<byte[]?> GetAsync(string runId, string name, CancellationToken cancellationToken) => Task.FromResult(_items.GetValueOrDefault($"{runId}/{name}"));

        public Task DeleteRunAsync(string runId, CancellationToken cancellationToken)
        {
            foreach (var key in _items.Keys.Where(k => k.StartsWith(runId + "/", StringComparison.Ordinal)))
            {
                _items.TryRemove(key, out _);
            }

            return Task.CompletedTask;
        }
    }
}
