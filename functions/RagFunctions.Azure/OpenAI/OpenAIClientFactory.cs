using System.ClientModel;
using System.ClientModel.Primitives;
using global::OpenAI;
using global::OpenAI.Chat;
using global::OpenAI.Embeddings;
using Microsoft.Extensions.Options;
using RagFunctions.Azure.Identity;

namespace RagFunctions.Azure.OpenAI;

/// <summary>
/// Builds the one <see cref="OpenAIClient"/> the process uses, for Azure OpenAI (v1 API, Entra ID) or any OpenAI-compatible server.
/// </summary>
/// <remarks>
/// The SDK's own retries are switched off (<see cref="ClientRetryPolicy"/> with 0 retries): embeddings are retried by Core's
/// ResilientEmbeddingGenerator, which honours Retry-After across the whole batch plan, and chat failures move down the model
/// fallback chain. Retrying in both layers would multiply waits (3 SDK tries × N Core tries) and hide 429s from the backoff.
/// </remarks>
public sealed class OpenAIClientFactory
{
    /// <summary>Token audience for Azure OpenAI / Cognitive Services resources.</summary>
    public const string AzureScope = "https://cognitiveservices.azure.com/.default";

    private readonly OpenAIOptions _options;
    private readonly AzureCredentialFactory _credentials;
    private readonly PipelineTransport? _transport;
    private readonly Lazy<OpenAIClient> _client;

    public OpenAIClientFactory(IOptions<OpenAIOptions> options, AzureCredentialFactory credentials)
        : this(options.Value, credentials, transport: null)
    {
    }

    /// <param name="transport">Replaces the HTTP transport (contract tests); null uses the SDK's.</param>
    internal OpenAIClientFactory(OpenAIOptions options, AzureCredentialFactory credentials, PipelineTransport? transport)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(credentials);
        _options = options;
        _credentials = credentials;
        _transport = transport;
        _client = new Lazy<OpenAIClient>(Create, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public OpenAIClient Client => _client.Value;

    public EmbeddingClient GetEmbeddingClient(string model) => Client.GetEmbeddingClient(model);

    public ChatClient GetChatClient(string model) => Client.GetChatClient(model);

    /// <summary>The base URL requests go to: <c>{Endpoint}/openai/v1/</c> for Azure, the endpoint as given otherwise.</summary>
    public static Uri ResolveEndpoint(OpenAIOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.Endpoint) || !Uri.TryCreate(options.Endpoint.Trim(), UriKind.Absolute, out var endpoint))
        {
            throw new InvalidOperationException($"{OpenAIOptions.Section}:Endpoint must be an absolute URL; got '{options.Endpoint}'.");
        }

        if (!options.IsAzure)
        {
            if (!string.Equals(options.Kind?.Trim(), OpenAIOptions.KindCompatible, StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException(
                    $"{OpenAIOptions.Section}:Kind must be '{OpenAIOptions.KindAzure}' or '{OpenAIOptions.KindCompatible}'; got '{options.Kind}'.");
            }

            return endpoint;
        }

        // The resource root is configured (https://x.openai.azure.com/); the v1 API lives under /openai/v1/. Accept a URL
        // that already names it, so either spelling works.
        var path = endpoint.AbsolutePath.TrimEnd('/');
        if (path.EndsWith("/openai/v1", StringComparison.OrdinalIgnoreCase))
        {
            return new Uri(endpoint.GetLeftPart(UriPartial.Authority) + path + "/");
        }

        return new Uri(endpoint.GetLeftPart(UriPartial.Authority) + path + "/openai/v1/");
    }

    private OpenAIClient Create()
    {
        var clientOptions = new OpenAIClientOptions
        {
            Endpoint = ResolveEndpoint(_options),
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
        };
        if (_transport is not null)
        {
            clientOptions.Transport = _transport;
        }

        if (!_options.IsAzure)
        {
            // Local servers (Ollama, vLLM) usually ignore the key but the SDK requires one.
            var key = string.IsNullOrWhiteSpace(_options.ApiKey) ? "unused" : _options.ApiKey;
            return new OpenAIClient(new ApiKeyCredential(key), clientOptions);
        }

        if (!string.IsNullOrWhiteSpace(_options.ApiKey))
        {
            throw new InvalidOperationException(
                $"{OpenAIOptions.Section}:ApiKey is set for an Azure endpoint; Azure OpenAI is reached with Entra ID only. Remove the key.");
        }

        // The documented way to use the OpenAI SDK against the Azure OpenAI v1 API with Entra ID; the SDK still marks the
        // AuthenticationPolicy constructor experimental (OPENAI001).
#pragma warning disable OPENAI001
        return new OpenAIClient(new BearerTokenPolicy(_credentials.GetCredential(), AzureScope), clientOptions);
#pragma warning restore OPENAI001
    }
}
