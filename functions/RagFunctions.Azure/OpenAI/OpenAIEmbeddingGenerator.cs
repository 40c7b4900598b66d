using System.ClientModel;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RagFunctions.Core.Common;
using SdkEmbeddingClient = global::OpenAI.Embeddings.EmbeddingClient;
using SdkEmbeddingOptions = global::OpenAI.Embeddings.EmbeddingGenerationOptions;

namespace RagFunctions.Azure.OpenAI;

/// <summary>
/// <see cref="IEmbeddingGenerator{TInput,TEmbedding}"/> over the OpenAI SDK's <see cref="SdkEmbeddingClient"/> (Azure OpenAI or any
/// OpenAI-compatible server). One call = one HTTP request; batching and retries belong to Core's wrapper, which sees 429 and
/// 5xx as <see cref="RateLimitedProblemException"/> / <see cref="UpstreamUnavailableProblemException"/>.
/// </summary>
public sealed partial class OpenAIEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly SdkEmbeddingClient _client;
    private readonly int _dimensions;
    private readonly ILogger _logger;
    private readonly EmbeddingGeneratorMetadata _metadata;

    // Models before text-embedding-3 (ada-002, most local models) reject the "dimensions" parameter. It is sent until the
    // server says so once; afterwards the vector length alone is checked.
    private volatile bool _sendDimensions = true;

    /// <param name="dimensions">The length every vector must have (RagFunctions:Embedding:Dimensions); requested from the model.</param>
    public OpenAIEmbeddingGenerator(SdkEmbeddingClient client, string model, int dimensions, Uri? endpoint = null, ILogger<OpenAIEmbeddingGenerator>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
        _client = client;
        _dimensions = dimensions;
        _logger = logger ?? NullLogger<OpenAIEmbeddingGenerator>.Instance;
        _metadata = new EmbeddingGeneratorMetadata("openai", endpoint, model, dimensions);
    }

    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values,
        EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var inputs = values as IReadOnlyList<string> ?? values.ToList();
        if (inputs.Count == 0)
        {
            return [];
        }

        if (options?.Dimensions is { } requested && requested != _dimensions)
        {
            throw new ArgumentException($"Requested {requested} dimensions; this generator is configured for {_dimensions}.", nameof(options));
        }

        global::OpenAI.Embeddings.OpenAIEmbeddingCollection result;
        try
        {
            result = await CallAsync(inputs, _sendDimensions, cancellationToken).ConfigureAwait(false);
        }
        catch (ClientResultException ex) when (_sendDimensions && ex.Status == 400 && MentionsDimensions(ex))
        {
            _sendDimensions = false;
            LogDimensionsUnsupported(_metadata.DefaultModelId);
            result = await CallAsync(inputs, sendDimensions: false, cancellationToken).ConfigureAwait(false);
        }

        if (result.Count != inputs.Count)
        {
            throw new UpstreamUnavailableProblemException($"The embedding endpoint returned {result.Count} vectors for {inputs.Count} inputs.");
        }

        var embeddings = new GeneratedEmbeddings<Embedding<float>>(inputs.Count);
        foreach (var item in result.OrderBy(e => e.Index))
        {
            var vector = item.ToFloats();
            if (vector.Length != _dimensions)
            {
                // Not retryable: the model and RagFunctions:Embedding:Dimensions disagree, and the index was built for the latter.
                throw new InvalidOperationException(
                    $"Embedding model '{_metadata.DefaultModelId}' returned {vector.Length} dimensions; RagFunctions:Embedding:Dimensions is {_dimensions}.");
            }

            embeddings.Add(new Embedding<float>(vector) { ModelId = result.Model });
        }

        if (result.Usage is { } usage)
        {
            embeddings.Usage = new UsageDetails { InputTokenCount = usage.InputTokenCount, TotalTokenCount = usage.TotalTokenCount };
        }

        return embeddings;
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }

        if (serviceType == typeof(EmbeddingGeneratorMetadata))
        {
            return _metadata;
        }

        if (serviceType == typeof(SdkEmbeddingClient))
        {
            return _client;
        }

        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    public void Dispose()
    {
        // The SDK client is shared and owns no disposable state.
    }

    private Task<global::OpenAI.Embeddings.OpenAIEmbeddingCollection> CallAsync(IReadOnlyList<string> inputs, bool sendDimensions, CancellationToken cancellationToken) =>
        OpenAIErrors.Guard(
            async () =>
            {
                var sdkOptions = new SdkEmbeddingOptions { Dimensions = sendDimensions ? _dimensions : null };
                var response = await _client.GenerateEmbeddingsAsync(inputs, sdkOptions, cancellationToken).ConfigureAwait(false);
                return response.Value;
            },
            "an embedding request",
            cancellationToken);

    private static bool MentionsDimensions(ClientResultException ex)
    {
        if (ex.Message.Contains("dimensions", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        var body = ex.GetRawResponse()?.Content?.ToString();
        return body is not null && body.Contains("dimensions", StringComparison.OrdinalIgnoreCase);
    }

    [LoggerMessage(EventId = 4200, Level = LogLevel.Warning, Message = "Embedding model {Model} does not accept the dimensions parameter; sending requests without it")]
    private partial void LogDimensionsUnsupported(string? model);
}
