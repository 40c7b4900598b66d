using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using RagFunctions.Core.Ingestion.Chunking;
using RagFunctions.Core.Retrieval;

namespace RagFunctions.Tests.Fakes.Chat;

/// <summary>One token per whitespace-separated word: easy to reason about in budget tests.</summary>
public sealed class WordTokenCounter : ITokenCounter
{
    public int CountTokens(ReadOnlySpan<char> text)
    {
        var count = 0;
        var inWord = false;
        foreach (var c in text)
        {
            var isSpace = char.IsWhiteSpace(c);
            if (!isSpace && !inWord)
            {
                count++;
            }

            inWord = !isSpace;
        }

        return count;
    }
}

/// <summary>Keyword-overlap search over chunks with the principal filter of <see cref="SearchFilter"/>; remembers the last query.</summary>
public sealed class InMemorySearchIndex : ISearchIndex
{
    private readonly List<DocumentChunk> _chunks = [];

    public HybridQuery? LastQuery { get; private set; }

    public InMemorySearchIndex Add(string documentId, string title, string content, IReadOnlyList<string>? ownerIds = null)
    {
        var ordinal = _chunks.Count(c => c.DocumentId == documentId);
        _chunks.Add(new DocumentChunk(DocumentChunk.MakeId(documentId, ordinal), documentId, ordinal, content, title, $"docs/{documentId}.md", null, null, 0, content.Length, 0)
        {
            OwnerIds = ownerIds ?? [],
        });
        return this;
    }

    public Task<IReadOnlyList<SearchHit>> SearchAsync(HybridQuery query, CancellationToken cancellationToken)
    {
        LastQuery = query;
        var terms = Words(query.Text);
        var principals = query.Filter?.PrincipalIds ?? [];
        IReadOnlyList<SearchHit> hits = [.. _chunks
            .Where(c => c.OwnerIds.Count == 0 && c.GroupIds.Count == 0 || c.OwnerIds.Concat(c.GroupIds).Intersect(principals).Any())
            .Select(c => (Chunk: c, Score: Words(c.Content).Count(terms.Contains)))
            .Where(x => x.Score > 0)
            .OrderByDescending(x => x.Score)
            .Take(query.Top)
            .Select((x, i) => new SearchHit(x.Chunk, x.Score, Retrievers.Keyword, i + 1, null))];
        return Task.FromResult(hits);
    }

    private static HashSet<string> Words(string text) =>
        [.. text.ToLowerInvariant().Split([' ', '.', ',', '?', '!', '\n', ':', ';'], StringSplitOptions.RemoveEmptyEntries).Where(w => w.Length >= 3)];

    public Task EnsureReadyAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task ReplaceDocumentChunksAsync(string documentId, IReadOnlyList<IndexedChunk> chunks, CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task DeleteDocumentAsync(string documentId, CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task<IndexStats> GetStatsAsync(CancellationToken cancellationToken) => Task.FromResult(new IndexStats(0, _chunks.Count, 3, "fake"));
}

public sealed class FakeEmbedder : IEmbeddingGenerator<string, Embedding<float>>
{
    public bool Fail { get; set; }

    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        if (Fail)
        {
            throw new HttpRequestException("embedder down");
        }

        return Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(values.Select(_ => new Embedding<float>(new float[] { 1, 0, 0 }))));
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}

/// <summary>A chat client that answers with a fixed text (streamed word by word), fails, or waits; records what it was sent.</summary>
public sealed class ScriptedChatClient(string? answer = null, Exception? failure = null, TimeSpan? delay = null, TimeSpan? pieceDelay = null) : IChatClient
{
    public int Calls { get; private set; }

    public IReadOnlyList<ChatMessage>? LastMessages { get; private set; }

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        Calls++;
        LastMessages = [.. messages];
        if (delay is { } d)
        {
            await Task.Delay(d, cancellationToken);
        }

        if (failure is not null)
        {
            throw failure;
        }

        return new ChatResponse(new ChatMessage(ChatRole.Assistant, answer ?? "")) { Usage = new UsageDetails { InputTokenCount = 11, OutputTokenCount = 7 } };
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Calls++;
        LastMessages = [.. messages];
        if (delay is { } d)
        {
            await Task.Delay(d, cancellationToken);
        }

        if (failure is not null)
        {
            throw failure;
        }

        foreach (var piece in (answer ?? "").Split(' '))
        {
            if (pieceDelay is { } p)
            {
                await Task.Delay(p, cancellationToken);
            }

            yield return new ChatResponseUpdate(ChatRole.Assistant, piece + " ");
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}
