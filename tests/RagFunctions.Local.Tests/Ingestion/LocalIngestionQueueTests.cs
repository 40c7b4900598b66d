using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RagFunctions.Core.Ingestion.Catalog;
using RagFunctions.Core.Ingestion.Embedding;
using RagFunctions.Local.Ingestion;
using RagFunctions.Local.Tests.Hosting;

namespace RagFunctions.Local.Tests.Ingestion;

public sealed class LocalIngestionQueueTests : IDisposable
{
    private readonly LocalHostFactory _root = new(new Dictionary<string, string?>
    {
        ["RagFunctions:Ingestion:ScanIntervalSeconds"] = "0.2",
        ["RagFunctions:Ingestion:SettleMilliseconds"] = "50",
        ["RagFunctions:Ingestion:MaxParallelDocuments"] = "2",
    });

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task A_changed_file_queued_while_its_older_version_is_still_running_ends_indexed_with_the_newer_version()
    {
        var gate = new GatedEmbedder("versionone");
        using var host = _root.WithWebHostBuilder(b => b.ConfigureTestServices(s =>
            s.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(sp => gate.Wrap(sp.GetRequiredService<IOptions<EmbeddingOptions>>()))));
        var client = host.CreateWriterClient();
        var queue = host.Services.GetRequiredService<LocalIngestionQueue>();
        var folder = Path.Combine(_root.DataDirectory, "documents");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "policy.txt");
        var id = DocumentIds.FromSourcePath("policy.txt");

        await File.WriteAllTextAsync(path, "The versionone policy covers marmots.");
        await gate.HeldRunStarted.Task.WaitAsync(TimeSpan.FromSeconds(60));

        // The file changes while its first version is still being embedded.
        const string second = "The versiontwo policy covers capybaras.";
        await File.WriteAllTextAsync(path, second);
        queue.Enqueue("policy.txt");

        // Give a concurrent run of the same path the chance to finish first (the bug); a serialised queue waits instead.
        try
        {
            await DocumentsClient.WaitUntilAsync(
                async () => (await client.GetDocumentAsync(id)).GetProperty("status").GetString() == "indexed", TimeSpan.FromSeconds(3));
        }
        catch (TimeoutException)
        {
        }

        gate.Release();
        await DocumentsClient.WaitUntilAsync(() => Task.FromResult(queue.IsIdle && gate.Released));
        var record = await client.WaitForFinalStatusAsync(id);

        Assert.Equal("indexed", record.GetProperty("status").GetString());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(second))), record.GetProperty("contentHash").GetString());
        Assert.Contains(await client.SearchAsync("capybaras"), h => h.GetProperty("documentId").GetString() == id && FoundByKeyword(h));
        // The vector leg always returns neighbours; only a keyword match would mean the old text is still indexed.
        Assert.DoesNotContain(await client.SearchAsync("marmots"), h => h.GetProperty("documentId").GetString() == id && FoundByKeyword(h));
    }

    private static bool FoundByKeyword(System.Text.Json.JsonElement hit) =>
        hit.GetProperty("foundBy").EnumerateArray().Any(e => e.GetString() == "keyword");

    /// <summary>Holds every embedding call whose text contains a marker until released; others pass straight through.</summary>
    private sealed class GatedEmbedder(string marker)
    {
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource HeldRunStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool Released => _release.Task.IsCompleted;

        public void Release() => _release.TrySetResult();

        public IEmbeddingGenerator<string, Embedding<float>> Wrap(IOptions<EmbeddingOptions> options) => new Generator(this, new HashedNgramEmbedder(options));

        private sealed class Generator(GatedEmbedder owner, HashedNgramEmbedder inner) : IEmbeddingGenerator<string, Embedding<float>>
        {
            public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
                IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
            {
                var texts = values.ToList();
                if (texts.Any(t => t.Contains(owner._marker, StringComparison.Ordinal)))
                {
                    owner.HeldRunStarted.TrySetResult();
                    await owner._release.Task.WaitAsync(cancellationToken);
                }

                return await inner.GenerateAsync(texts, options, cancellationToken);
            }

            public object? GetService(Type serviceType, object? serviceKey = null) => inner.GetService(serviceType, serviceKey);

            public void Dispose()
            {
            }
        }

        private readonly string _marker = marker;
    }
}
