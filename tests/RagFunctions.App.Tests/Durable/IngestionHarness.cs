extern alias local;

using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Grpc.Net.Client;
using local::RagFunctions.Local.Hosting;
using local::RagFunctions.Local.Ingestion;
using local::RagFunctions.Local.Retrieval;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Converters;
using Microsoft.DurableTask.Testing;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RagFunctions.App.Ingestion;
using RagFunctions.Core.Ingestion;
using RagFunctions.Core.Ingestion.Catalog;
using RagFunctions.Core.Ingestion.Embedding;
using RagFunctions.Core.Ingestion.Extraction;
using RagFunctions.Core.Ingestion.Workflow;
using RagFunctions.Core.Retrieval;

namespace RagFunctions.App.Tests.Durable;

/// <summary>
/// The app's ingestion orchestrator and activities on the real Durable SDK (<see cref="DurableTaskTestHost"/>: in-memory
/// backend behind the gRPC sidecar, the same worker and client libraries the Functions extension uses), over the local
/// host's on-disk adapters (SQLite catalog and index, drop folder, staging folder) in a temporary data directory.
/// </summary>
/// <remarks>
/// Each worker gets its own service provider, as each Functions worker process would; <see cref="RestartWorkerAsync"/>
/// stops the worker and connects a fresh one (new services, same disk) to the same sidecar, which keeps the orchestration
/// history. Every orchestration input and output passes through <see cref="Payloads"/> (the client's and the workers'
/// data converter), which records its serialized size.
/// </remarks>
public sealed class IngestionHarness : IAsyncDisposable
{
    private readonly Dictionary<string, string?> _settings;
    private readonly Action<IServiceCollection>? _decorate;
    private readonly string _address;
    private readonly DurableTaskTestHost _host;
    private IHost? _restartedWorker;
    private int _episodes;

    private IngestionHarness(string dataDirectory, Dictionary<string, string?> settings, Action<IServiceCollection>? decorate, int port)
    {
        DataDirectory = dataDirectory;
        _settings = settings;
        _decorate = decorate;
        _address = $"http://localhost:{port}";
        Services = BuildServices();
        _host = DurableTaskTestHost.StartAsync(
            registry => Register(registry, () => Services),
            new DurableTaskTestHostOptions { Port = port, ConfigureServices = UsePayloadRecorder })
            .GetAwaiter().GetResult();
    }

    public string DataDirectory { get; }

    public string DropFolder => Path.Combine(DataDirectory, "documents");

    /// <summary>The current worker's services (replaced by <see cref="RestartWorkerAsync"/>).</summary>
    public IServiceProvider Services { get; private set; }

    public DurableTaskClient Client => _host.Client;

    public PayloadRecorder Payloads { get; } = new();

    /// <summary>How often each activity started, by name (all workers).</summary>
    public ConcurrentDictionary<string, int> ActivityStarts { get; } = new();

    /// <summary>How often an orchestrator episode started (Durable re-runs the orchestrator from its history each time).</summary>
    public int OrchestratorEpisodes => _episodes;

    /// <summary>Runs before an activity; a test blocks or fails activities here.</summary>
    public Func<string, object?, Task>? BeforeActivity { get; set; }

    public static Task<IngestionHarness> StartAsync(IDictionary<string, string?>? settings = null, Action<IServiceCollection>? decorate = null)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "ragfunctions-app-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(dataDirectory, "documents"));
        var all = new Dictionary<string, string?>
        {
            ["RagFunctions:Local:DataDirectory"] = dataDirectory,
            // The lexical embedder: deterministic and model-free; these tests are about orchestration, not retrieval quality.
            ["RagFunctions:Embedding:Model"] = "lexical",
            // Quick retries: the policy is the production one, only the delays are short.
            ["RagFunctions:Ingestion:ActivityMaxAttempts"] = "3",
            ["RagFunctions:Ingestion:ActivityFirstRetryInterval"] = "00:00:00.050",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        // The constructor blocks on the host's start: xunit runs it off the synchronization context.
        return Task.Run(() => new IngestionHarness(dataDirectory, all, decorate, FreePort()));
    }

    public T Get<T>()
        where T : notnull => Services.GetRequiredService<T>();

    /// <summary>Writes a file into the drop folder and starts its ingestion as the blob trigger does.</summary>
    public async Task<string?> DeliverAsync(string name, byte[] content)
    {
        await File.WriteAllBytesAsync(Path.Combine(DropFolder, name), content);
        return await RedeliverAsync(name);
    }

    /// <summary>Delivers the blob event for an existing file again (Event Grid delivers at least once).</summary>
    public async Task<string?> RedeliverAsync(string name)
    {
        await using var stream = File.OpenRead(Path.Combine(DropFolder, name));
        return await Get<DurableIngestionStarter>().StartAsync(Client, name, stream, CancellationToken.None);
    }

    public async Task<IngestionOutcome> CompletionAsync(string instanceId, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        OrchestrationMetadata metadata;
        try
        {
            metadata = await Client.WaitForInstanceCompletionAsync(instanceId, getInputsAndOutputs: true, cts.Token);
        }
        catch (OperationCanceledException)
        {
            var state = await Client.GetInstanceAsync(instanceId, getInputsAndOutputs: false);
            throw new TimeoutException($"orchestration {instanceId} still {state?.RuntimeStatus} after the timeout; activity starts: "
                + string.Join(", ", ActivityStarts.Select(a => $"{a.Key}={a.Value}")));
        }

        Assert.True(metadata.RuntimeStatus == OrchestrationRuntimeStatus.Completed,
            $"orchestration {instanceId} ended {metadata.RuntimeStatus}: {metadata.FailureDetails?.ErrorMessage}");
        return metadata.ReadOutputAs<IngestionOutcome>()!;
    }

    /// <summary>Stops the current worker (its in-flight activities keep running and report to the sidecar, like a process
    /// that finishes its current work while shutting down) and connects a new worker with new services to the same sidecar.</summary>
    public async Task RestartWorkerAsync()
    {
        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        if (_restartedWorker is { } previous)
        {
            await previous.StopAsync(stopping.Token);
            previous.Dispose();
        }
        else
        {
            // The test host's own worker: stop its Durable worker service; the host's client stays usable.
            foreach (var service in _host.Services.GetServices<IHostedService>())
            {
                await service.StopAsync(stopping.Token);
            }
        }

        Services = BuildServices();
        var services = Services;
        _restartedWorker = Host.CreateDefaultBuilder()
            .ConfigureLogging(logging => logging.ClearProviders())
            .ConfigureServices(s =>
            {
                UsePayloadRecorder(s);
                s.AddDurableTaskWorker(builder =>
                {
                    builder.UseGrpc(GrpcChannel.ForAddress(_address));
                    builder.AddTasks(registry => Register(registry, () => services));
                });
            })
            .Build();
        await _restartedWorker.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_restartedWorker is { } worker)
        {
            using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await worker.StopAsync(stopping.Token);
            worker.Dispose();
        }

        await _host.DisposeAsync();
        (Services as IDisposable)?.Dispose();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // SQLite may still hold the file for a moment; the temp folder is scratch space.
        }
    }

    private ServiceProvider BuildServices()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(_settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddOptions<LocalHostOptions>().Bind(configuration.GetSection(LocalHostOptions.Section));
        services.AddDocumentExtraction();
        services.AddLocalEmbeddings(configuration);
        services.AddSingleton(sp => new RecordingSearchIndex(sp.GetRequiredService<SqliteSearchIndex>()));
        services.AddSingleton<ISearchIndex>(sp => sp.GetRequiredService<RecordingSearchIndex>());
        services.AddLocalSearchIndex();
        services.AddLocalIngestion(configuration);
        services.AddSingleton<DurableIngestionStarter>();
        services.AddSingleton<IngestionOrchestrator>();
        services.AddSingleton<IngestionFunctions>();
        _decorate?.Invoke(services);
        return services.BuildServiceProvider();
    }

    private void UsePayloadRecorder(IServiceCollection services)
    {
        services.ConfigureAll<DurableTaskWorkerOptions>(o => o.DataConverter = Payloads);
        services.ConfigureAll<DurableTaskClientOptions>(o => o.DataConverter = Payloads);
    }

    /// <summary>The app's functions, as the Functions worker would invoke them: orchestrator and activities resolved from the
    /// worker's services, each activity one call on <see cref="IngestionFunctions"/>.</summary>
    private void Register(DurableTaskRegistry registry, Func<IServiceProvider> services)
    {
        registry.AddOrchestratorFunc<IngestionRequest, IngestionOutcome>(
            IngestionActivityNames.Orchestrator, (context, _) =>
            {
                Interlocked.Increment(ref _episodes);
                return services().GetRequiredService<IngestionOrchestrator>().Run(context);
            });
        Activity<IngestionRequest, BeginResult>(IngestionActivityNames.Begin, (f, i) => f.Begin(i, CancellationToken.None));
        Activity<ExtractInput, ChunkedDocument>(IngestionActivityNames.ExtractAndChunk, (f, i) => f.ExtractAndChunk(i, CancellationToken.None));
        Activity<EmbedBatchInput, EmbedBatchResult>(IngestionActivityNames.EmbedBatch, (f, i) => f.EmbedBatch(i, CancellationToken.None));
        Activity<IndexInput, IndexResult>(IngestionActivityNames.Index, (f, i) => f.Index(i, CancellationToken.None));
        Activity<CompleteInput, bool>(IngestionActivityNames.Complete, (f, i) => f.Complete(i, CancellationToken.None));
        Activity<FailInput, bool>(IngestionActivityNames.Fail, (f, i) => f.Fail(i, CancellationToken.None));

        void Activity<TInput, TOutput>(string name, Func<IngestionFunctions, TInput, Task<TOutput>> run) =>
            registry.AddActivityFunc<TInput, TOutput>(name, async (_, input) =>
            {
                ActivityStarts.AddOrUpdate(name, 1, (_, n) => n + 1);
                if (BeforeActivity is { } before)
                {
                    await before(name, input);
                }

                return await run(services().GetRequiredService<IngestionFunctions>(), input);
            });
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>Durable's JSON data converter, recording the UTF-8 size of everything it serializes: orchestration inputs and
/// outputs, activity inputs and outputs.</summary>
public sealed class PayloadRecorder : DataConverter
{
    private readonly ConcurrentBag<(int Bytes, string Type)> _sizes = [];

    public (int Bytes, string Type) Largest => _sizes.IsEmpty ? (0, "") : _sizes.MaxBy(s => s.Bytes);

    public int Count => _sizes.Count;

    public override string? Serialize(object? value)
    {
        var json = JsonDataConverter.Default.Serialize(value);
        _sizes.Add((json is null ? 0 : Encoding.UTF8.GetByteCount(json), value?.GetType().Name ?? "null"));
        return json;
    }

    public override object? Deserialize(string? data, Type targetType) => JsonDataConverter.Default.Deserialize(data, targetType);
}

/// <summary>The real SQLite index, remembering what each replace wrote and failing on demand.</summary>
public sealed class RecordingSearchIndex(ISearchIndex inner) : ISearchIndex
{
    private int _replaceCalls;

    /// <summary>Thrown by the next replace calls while it returns an exception.</summary>
    public Func<int, Exception?> FailReplace { get; set; } = _ => null;

    public int ReplaceCalls => _replaceCalls;

    public ConcurrentDictionary<string, IReadOnlyList<IndexedChunk>> Written { get; } = new();

    public async Task ReplaceDocumentChunksAsync(string documentId, IReadOnlyList<IndexedChunk> chunks, CancellationToken cancellationToken)
    {
        var call = Interlocked.Increment(ref _replaceCalls);
        if (FailReplace(call) is { } failure)
        {
            throw failure;
        }

        await inner.ReplaceDocumentChunksAsync(documentId, chunks, cancellationToken);
        Written[documentId] = chunks;
    }

    public Task EnsureReadyAsync(CancellationToken cancellationToken) => inner.EnsureReadyAsync(cancellationToken);

    public Task DeleteDocumentAsync(string documentId, CancellationToken cancellationToken) => inner.DeleteDocumentAsync(documentId, cancellationToken);

    public Task<IReadOnlyList<SearchHit>> SearchAsync(HybridQuery query, CancellationToken cancellationToken) => inner.SearchAsync(query, cancellationToken);

    public Task<IndexStats> GetStatsAsync(CancellationToken cancellationToken) => inner.GetStatsAsync(cancellationToken);
}
