using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RagFunctions.Core.Chat;
using RagFunctions.Core.History;

namespace RagFunctions.Api.Health;

/// <summary>Reads what <c>/api/health</c> reports besides the index: the embedder, each configured chat model with its last success
/// and last error in this process, and whether the conversation store answers. No secrets: endpoints are reported by host name only.</summary>
public sealed class HealthProbe(IServiceProvider services)
{
    /// <summary>A user id no identity can have (ids come from tokens); the probe reads its empty partition.</summary>
    private const string ProbeUser = "~health-probe";

    public EmbedderHealth Embedder()
    {
        var metadata = services.GetService<IEmbeddingGenerator<string, Embedding<float>>>()?.GetService<EmbeddingGeneratorMetadata>();
        return new EmbedderHealth(metadata?.ProviderName ?? "unknown", metadata?.DefaultModelId, metadata?.DefaultModelDimensions, metadata?.ProviderUri?.Host);
    }

    public IReadOnlyList<ModelStatus> Models()
    {
        var registry = services.GetService<ModelHealthRegistry>();
        var configured = services.GetService<IOptions<ChatPipelineOptions>>()?.Value.Models.Where(m => !string.IsNullOrWhiteSpace(m.Name)).ToList() ?? [];
        if (configured.Count == 0 || services.GetService<IChatClientFactory>() is null)
        {
            var extractive = registry?.Get(ExtractiveAnswerer.ModelName);
            return [new ModelStatus(ExtractiveAnswerer.ModelName, false, null, extractive?.LastSuccessAt, extractive?.LastErrorAt, extractive?.LastError, extractive?.IsFailing ?? false)];
        }

        return [.. configured.Select(m =>
        {
            var h = registry?.Get(m.Name) ?? new ModelHealth(m.Name, null, null, null);
            return new ModelStatus(m.Name, true, m.TimeoutSeconds, h.LastSuccessAt, h.LastErrorAt, h.LastError, h.IsFailing);
        })];
    }

    /// <summary>Local host only: re-embedding after an embedder change (keyword search serves the chunks it has not reached yet).</summary>
    public ReembeddingHealth? Reembedding() =>
        services.GetService<Core.Retrieval.ReembeddingProgress>() is { Model: not null } p ? new ReembeddingHealth(p.Model, p.Running, p.Done, p.Total) : null;

    /// <summary>The cause of a recent storage fault the host reports (read-only database, full disk), or null.</summary>
    public string? StorageFault() => services.GetService<IStorageStatus>()?.RecentFault;

    public async Task<StoreHealth> StoreAsync(CancellationToken cancellationToken)
    {
        if (services.GetService<IConversationStore>() is not { } store)
        {
            return new StoreHealth("not-configured", null);
        }

        try
        {
            await store.ListConversationsAsync(ProbeUser, null, 1, null, cancellationToken).ConfigureAwait(false);
            return new StoreHealth("ok", null);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return new StoreHealth("failing", ex.GetType().Name);
        }
    }
}

/// <summary>The embedder: provider, model, dimensions and the endpoint's host (never a key).</summary>
public sealed record EmbedderHealth(string Provider, string? Model, int? Dimensions, string? Endpoint);

/// <summary>A chat model: configured (false for the built-in extractive answerer), its timeout, the last success and the last error
/// (cause class and reason) seen by this process, and whether its latest call failed.</summary>
public sealed record ModelStatus(string Name, bool Configured, int? TimeoutSeconds, DateTimeOffset? LastSuccessAt, DateTimeOffset? LastErrorAt, string? LastError, bool Failing);

/// <summary>The conversation store: ok, failing (with the error type) or not-configured.</summary>
public sealed record StoreHealth(string Status, string? Error);

/// <summary>Re-embedding progress after an embedder change.</summary>
public sealed record ReembeddingHealth(string Model, bool Running, long Done, long Total);
