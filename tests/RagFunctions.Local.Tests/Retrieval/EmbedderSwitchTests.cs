using Microsoft.Data.Sqlite;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RagFunctions.Core.Ingestion.Chunking;
using RagFunctions.Core.Ingestion.Embedding;
using RagFunctions.Core.Retrieval;
using RagFunctions.Local.Hosting;
using RagFunctions.Local.Retrieval;
using RagFunctions.Local.Storage;
using RagFunctions.Local.Tests.Storage;

namespace RagFunctions.Local.Tests.Retrieval;

/// <summary>Changing the embedder: the index records which model made each vector, never serves another model's vectors,
/// re-embeds document by document, and resumes after an interruption.</summary>
public sealed class EmbedderSwitchTests : IDisposable
{
    private const int Dimensions = 8;
    private readonly TempDataDirectory _temp = new("switch");

    public void Dispose() => _temp.Dispose();

    /// <summary>A toy model: every text maps to one fixed axis, so which model made a vector is visible in the vector itself.</summary>
    private sealed class AxisEmbedder(string model, int axis) : IEmbeddingGenerator<string, Embedding<float>>
    {
        public int Calls { get; private set; }

        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            Calls++;
            return Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(values.Select(_ => new Embedding<float>(Axis(axis)))));
        }

        public object? GetService(Type serviceType, object? serviceKey = null) =>
            serviceType == typeof(EmbeddingGeneratorMetadata) ? new EmbeddingGeneratorMetadata("test", null, model, Dimensions) : null;

        public void Dispose()
        {
        }
    }

    private static float[] Axis(int axis)
    {
        var vector = new float[Dimensions];
        vector[axis] = 1;
        return vector;
    }

    private SqliteSearchIndex Open(IEmbeddingGenerator<string, Embedding<float>> embedder) => new(
        new SqliteDatabase(Options.Create(new LocalHostOptions { DataDirectory = _temp.Path })),
        Options.Create(new EmbeddingOptions { Dimensions = Dimensions }),
        NullLogger<SqliteSearchIndex>.Instance,
        embedder);

    private static IndexedChunk[] Document(string id, int chunks, int axis) =>
        Enumerable.Range(0, chunks).Select(i => new IndexedChunk(
            new DocumentChunk(DocumentChunk.MakeId(id, i), id, i, $"orchard apples part {i}", "Fruit", $"{id}.txt", null, null, 0, 10, 5),
            Axis(axis))).ToArray();

    [Fact]
    public async Task Vectors_from_another_model_are_never_served_and_are_re_embedded_document_by_document_resuming_after_a_stop()
    {
        var first = new AxisEmbedder("model-a", axis: 0);
        using (var index = Open(first))
        {
            await index.ReplaceDocumentChunksAsync("d1", Document("d1", 2, axis: 0), CancellationToken.None);
            await index.ReplaceDocumentChunksAsync("d2", Document("d2", 3, axis: 0), CancellationToken.None);
        }

        var second = new AxisEmbedder("model-b", axis: 1);
        using (var index = Open(second))
        {
            await index.EnsureReadyAsync(CancellationToken.None);

            // Model A's vectors are not loaded: a vector query (in model B's space) finds nothing; keywords still find all.
            Assert.Equal(5, index.StaleVectorsAtLoad);
            Assert.Empty(await index.SearchAsync(new HybridQuery("", Axis(0), 10), CancellationToken.None));
            Assert.Equal(5, (await index.SearchAsync(new HybridQuery("orchard", default, 10), CancellationToken.None)).Count);

            // One document, then a "crash".
            var done = await index.ReembedNextDocumentAsync(second, CancellationToken.None);
            Assert.InRange(done, 2, 3);
            Assert.Equal(5 - done, await index.CountStaleVectorsAsync(CancellationToken.None));
            var hits = await index.SearchAsync(new HybridQuery("", Axis(1), 10), CancellationToken.None);
            Assert.Equal(done, hits.Count);
            Assert.All(hits, h => Assert.Equal(Retrievers.Vector, h.FoundBy));
        }

        using (var index = Open(second))
        {
            await index.EnsureReadyAsync(CancellationToken.None);
            var remaining = index.StaleVectorsAtLoad;
            Assert.InRange(remaining, 2, 3);

            while (await index.ReembedNextDocumentAsync(second, CancellationToken.None) > 0)
            {
            }

            Assert.Equal(0, await index.CountStaleVectorsAsync(CancellationToken.None));
            Assert.Equal(5, (await index.SearchAsync(new HybridQuery("", Axis(1), 10), CancellationToken.None)).Count);
            // Re-embedding keeps the chunk text and metadata.
            Assert.All(await index.SearchAsync(new HybridQuery("orchard", default, 10), CancellationToken.None),
                h => Assert.StartsWith("orchard apples part", h.Chunk.Content, StringComparison.Ordinal));
        }

        using (var index = Open(second))
        {
            await index.EnsureReadyAsync(CancellationToken.None);
            Assert.Equal(0, index.StaleVectorsAtLoad);
            Assert.Equal(5, (await index.SearchAsync(new HybridQuery("", Axis(1), 10), CancellationToken.None)).Count);
        }
    }

    [Fact]
    public async Task Switching_back_re_embeds_again_rather_than_trusting_old_rows()
    {
        var a = new AxisEmbedder("model-a", axis: 0);
        var b = new AxisEmbedder("model-b", axis: 1);
        using (var index = Open(a))
        {
            await index.ReplaceDocumentChunksAsync("d1", Document("d1", 2, axis: 0), CancellationToken.None);
        }

        using (var index = Open(b))
        {
            while (await index.ReembedNextDocumentAsync(b, CancellationToken.None) > 0)
            {
            }
        }

        using (var index = Open(a))
        {
            await index.EnsureReadyAsync(CancellationToken.None);
            Assert.Equal(2, index.StaleVectorsAtLoad);
            Assert.Empty(await index.SearchAsync(new HybridQuery("", Axis(1), 10), CancellationToken.None));
        }
    }
}
