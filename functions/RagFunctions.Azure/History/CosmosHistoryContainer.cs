using System.Text.Json;
using System.Text.Json.Serialization;
using Azure.Core;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Options;

namespace RagFunctions.Azure.History;

/// <summary>Owns the <see cref="CosmosClient"/> for conversation history and hands out the container, creating database and
/// container first when <see cref="CosmosOptions.CreateIfMissing"/> is set. Key auth only when an account key is configured
/// (emulators, test servers); otherwise the registered Entra ID <see cref="TokenCredential"/>.</summary>
public sealed class CosmosHistoryContainer : IDisposable
{
    private readonly CosmosOptions _options;
    private readonly TokenCredential? _credential;
    private readonly SemaphoreSlim _initLock = new(1, 1);
    private CosmosClient? _client;
    private Container? _container;

    public CosmosHistoryContainer(IOptions<CosmosOptions> options, TokenCredential? credential = null)
    {
        _options = options.Value;
        _credential = credential;
    }

    /// <summary>Wraps an existing container (request-level tests with a mocked SDK).</summary>
    internal CosmosHistoryContainer(Container container, CosmosOptions options)
    {
        _options = options;
        _container = container;
    }

    /// <summary>Serializer settings of the history documents: camelCase, nulls omitted, enums by their declared names.</summary>
    internal static JsonSerializerOptions SerializerOptions { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public async Task<Container> GetContainerAsync(CancellationToken cancellationToken)
    {
        if (_container is not null)
        {
            return _container;
        }

        await _initLock.WaitAsync(cancellationToken);
        try
        {
            if (_container is not null)
            {
                return _container;
            }

            _client ??= CreateClient();
            if (_options.CreateIfMissing)
            {
                Database database = await _client.CreateDatabaseIfNotExistsAsync(_options.Database, cancellationToken: cancellationToken);
                // TTL on with no default expiry: only items carrying their own ttl (soft-deleted conversations) expire.
                var properties = new ContainerProperties(_options.Container, "/userId") { DefaultTimeToLive = -1 };
                await database.CreateContainerIfNotExistsAsync(properties, cancellationToken: cancellationToken);
            }

            _container = _client.GetContainer(_options.Database, _options.Container);
            return _container;
        }
        finally
        {
            _initLock.Release();
        }
    }

    public void Dispose()
    {
        _client?.Dispose();
        _initLock.Dispose();
    }

    private CosmosClient CreateClient()
    {
        if (string.IsNullOrWhiteSpace(_options.Endpoint))
        {
            throw new InvalidOperationException($"{CosmosOptions.Section}:Endpoint is not configured.");
        }

        var clientOptions = new CosmosClientOptions
        {
            ApplicationName = "RagFunctions",
            ConnectionMode = _options.ConnectionMode,
            UseSystemTextJsonSerializerWithOptions = SerializerOptions,
        };
        if (_options.AllowInsecureServerCertificate)
        {
            // Test servers only (self-signed certificate on loopback); gated by an explicit option that defaults to false.
            clientOptions.HttpClientFactory = () => new HttpClient(new HttpClientHandler
            {
                ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator,
            });
        }

        if (!string.IsNullOrEmpty(_options.AccountKey))
        {
            // Keys are for emulators and test servers: talk to the given endpoint only, not to the regions it advertises.
            clientOptions.LimitToEndpoint = true;
            return new CosmosClient(_options.Endpoint, _options.AccountKey, clientOptions);
        }

        var credential = _credential
            ?? throw new InvalidOperationException($"{CosmosOptions.Section}:AccountKey is empty and no Azure.Core.TokenCredential is registered.");
        return new CosmosClient(_options.Endpoint, credential, clientOptions);
    }
}
