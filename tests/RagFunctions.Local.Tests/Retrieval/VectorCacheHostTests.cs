using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using RagFunctions.Core.Ingestion.Catalog;
using RagFunctions.Core.Ingestion.Chunking;
using RagFunctions.Local.Tests.EndToEnd;
using RagFunctions.Local.Tests.Hosting;
using RagFunctions.Local.Tests.Storage;

namespace RagFunctions.Local.Tests.Retrieval;

/// <summary>Vector cache reuse on an edit, on the real local host (default neural embedder, SQLite index, drop folder) with a real
/// PostgreSQL manual page: an edited paragraph re-embeds only the chunks it touches, also after the host restarts, and the index
/// then holds the vector the embedder makes for every chunk's text.</summary>
public sealed class VectorCacheHostTests : IDisposable
{
    private const string Page = "datatype-numeric.html";

    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["RagFunctions:Ingestion:ScanIntervalSeconds"] = "0.2",
        ["RagFunctions:Ingestion:SettleMilliseconds"] = "50",
    };

    private readonly TempDataDirectory _temp = new("vcache");
    private readonly ConcurrentQueue<string> _embedded = new();

    public void Dispose() => _temp.Dispose();

    [RealDocumentsFact]
    public async Task An_edited_page_re_embeds_only_its_changed_chunks_also_after_a_restart()
    {
        var original = await File.ReadAllTextAsync(RealDocuments.PostgresPage(Page));
        var firstEdit = EditParagraph(original, 0.5, "Quillwort tide tables store their soundings as numeric values.");
        var secondEdit = EditParagraph(firstEdit, 0.8, "Lighthouse keepers log bearings with double precision.");
        var id = DocumentIds.FromSourcePath(Page);

        int chunkCount;
        using (var host = Start())
        {
            var client = host.CreateWriterClient();
            var first = await DropAsync(client, original, notHash: null);
            chunkCount = first.GetProperty("chunkCount").GetInt32();
            Assert.True(chunkCount >= 8, $"{Page} should make several chunks, made {chunkCount}");
            AssertCounts(first, embedded: chunkCount, reused: 0);

            _embedded.Clear();
            var edited = await DropAsync(client, firstEdit, notHash: first.GetProperty("contentHash").GetString());
            AssertReusedAllBut(edited, "Quillwort");
        }

        // A new process on the same data directory: the cache is the index's SQLite rows.
        using (var host = Start())
        {
            var client = host.CreateWriterClient();
            var before = await client.WaitForFinalStatusAsync(id);
            _embedded.Clear();
            var edited = await DropAsync(client, secondEdit, notHash: before.GetProperty("contentHash").GetString());
            AssertReusedAllBut(edited, "Lighthouse keepers");

            // Every chunk's stored vector is what the embedder makes for its text today (reused ones included).
            var embedder = host.Services.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
            var rows = ReadRows(id);
            Assert.Equal(edited.GetProperty("chunkCount").GetInt32(), rows.Count);
            var fresh = await embedder.GenerateAsync(rows.Select(r => r.Text).ToArray());
            for (var i = 0; i < rows.Count; i++)
            {
                var expected = fresh[i].Vector.Span;
                var stored = rows[i].Vector;
                Assert.Equal(expected.Length, stored.Length);
                for (var d = 0; d < stored.Length; d++)
                {
                    // Batched ONNX inference pads inputs to the batch's longest: sums may differ in the last bits.
                    Assert.True(Math.Abs(expected[d] - stored[d]) < 1e-4f, $"chunk {i} dimension {d}: stored {stored[d]}, fresh {expected[d]}");
                }
            }
        }

        void AssertReusedAllBut(JsonElement record, string marker)
        {
            var counts = record.GetProperty("embedding");
            var embedded = counts.GetProperty("embedded").GetInt32();
            var reused = counts.GetProperty("reused").GetInt32();
            var total = record.GetProperty("chunkCount").GetInt32();
            Assert.Equal(total, embedded + reused);
            Assert.InRange(embedded, 1, Math.Max(1, total / 4));
            // What the embedder read: exactly the reported misses, and the edit is among them.
            Assert.Equal(embedded, _embedded.Count);
            Assert.Contains(_embedded, text => text.Contains(marker, StringComparison.Ordinal));
        }
    }

    private static void AssertCounts(JsonElement record, int embedded, int reused)
    {
        var counts = record.GetProperty("embedding");
        Assert.Equal(embedded, counts.GetProperty("embedded").GetInt32());
        Assert.Equal(reused, counts.GetProperty("reused").GetInt32());
    }

    /// <summary>Replaces the text of the first paragraph at or after <paramref name="at"/> (a fraction of the page) with <paramref name="text"/>.</summary>
    private static string EditParagraph(string html, double at, string text)
    {
        var start = html.IndexOf("<p>", (int)(html.Length * at), StringComparison.Ordinal);
        var end = html.IndexOf("</p>", start, StringComparison.Ordinal);
        Assert.True(start > 0 && end > start, "the page has a paragraph there");
        return string.Concat(html.AsSpan(0, start + 3), text, html.AsSpan(end));
    }

    private async Task<JsonElement> DropAsync(HttpClient client, string html, string? notHash)
    {
        var folder = Path.Combine(_temp.Path, "documents");
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, Page), html);
        var record = await client.WaitForFinalStatusAsync(DocumentIds.FromSourcePath(Page), TimeSpan.FromMinutes(3), notHash);
        Assert.Equal("indexed", record.GetProperty("status").GetString());
        return record;
    }

    /// <summary>The real host, with its embedder wrapped to record what it is asked to embed.</summary>
    private WebApplicationFactory<Program> Start() =>
        new LocalHostFactory(Settings, _temp.Path).WithWebHostBuilder(builder => builder.ConfigureTestServices(services =>
        {
            var registration = services.Last(d => d.ServiceType == typeof(IEmbeddingGenerator<string, Embedding<float>>) && !d.IsKeyedService);
            services.Remove(registration);
            services.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(sp =>
                new RecordingEmbedder((IEmbeddingGenerator<string, Embedding<float>>)registration.ImplementationFactory!(sp), _embedded));
        }));

    private List<(string Text, float[] Vector)> ReadRows(string documentId)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(_temp.Path, "ragfunctions.db")};Mode=ReadOnly");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT title, heading, content, vector FROM search_chunks WHERE document_id = $d ORDER BY ordinal";
        command.Parameters.AddWithValue("$d", documentId);
        using var reader = command.ExecuteReader();
        var rows = new List<(string, float[])>();
        while (reader.Read())
        {
            var text = ChunkContext.Contextualise(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetString(2));
            rows.Add((text, MemoryMarshal.Cast<byte, float>((byte[])reader.GetValue(3)).ToArray()));
        }

        return rows;
    }

    private sealed class RecordingEmbedder(IEmbeddingGenerator<string, Embedding<float>> inner, ConcurrentQueue<string> seen)
        : DelegatingEmbeddingGenerator<string, Embedding<float>>(inner)
    {
        public override Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            var texts = values.ToArray();
            foreach (var text in texts)
            {
                seen.Enqueue(text);
            }

            return base.GenerateAsync(texts, options, cancellationToken);
        }
    }
}
