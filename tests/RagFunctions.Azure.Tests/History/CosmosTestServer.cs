using Microsoft.Extensions.Options;
using RagFunctions.Azure.History;
using RagFunctions.Azure.Tests.Servers;
using RagFunctions.Core.History;

namespace RagFunctions.Azure.Tests.History;

/// <summary>Starts <c>node scripts/cosmos-test-server.js</c> (the @vercel/cosmosdb-server wrapper) on a free loopback port
/// and connects the history store to it with the emulator key in Gateway mode; kills the process on dispose.</summary>
public sealed class CosmosTestServer : IAsyncLifetime
{
    /// <summary>The public, well-known Cosmos DB emulator key (not a secret).</summary>
    public const string EmulatorKey = "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==";

    public const int RetentionDays = 3;

    private NodeServerProcess? _server;

    public CosmosHistoryContainer Containers { get; private set; } = null!;

    public CosmosConversationStore Store { get; private set; } = null!;

    public string Endpoint { get; private set; } = "";

    /// <summary>Repository root (holds scripts/cosmos-test-server.js), found by walking up from the test binaries.</summary>
    public static string? RepositoryRoot() => NodeServerProcess.RepositoryRoot(Path.Combine("scripts", "cosmos-test-server.js"));

    /// <summary>Null when the server package is installed; otherwise what is missing.</summary>
    public static string? MissingPrerequisite()
    {
        var root = RepositoryRoot();
        if (root is null)
        {
            return "scripts/cosmos-test-server.js was not found above the test binaries.";
        }

        var package = Path.Combine(root, ".cache", "cosmos-server", "node_modules", "@vercel", "cosmosdb-server", "package.json");
        return File.Exists(package) ? null : $"{package} is missing: run scripts/setup-test-deps.sh (installs @vercel/cosmosdb-server with npm).";
    }

    public async Task InitializeAsync()
    {
        var missing = MissingPrerequisite();
        if (missing is not null)
        {
            throw new InvalidOperationException("The Cosmos DB test server cannot start: " + missing);
        }

        // Tests reach loopback only: the SDK must not probe the instance metadata service.
        Environment.SetEnvironmentVariable("COSMOS_DISABLE_IMDS_ACCESS", "true");
        var port = NodeServerProcess.FreePort();
        _server = await NodeServerProcess.StartAsync(
            "The Cosmos DB test server",
            [Path.Combine("scripts", "cosmos-test-server.js"), port.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            RepositoryRoot()!,
            readyMarker: "listening on",
            TimeSpan.FromSeconds(30));

        Endpoint = $"https://127.0.0.1:{port}/";
        var options = Options.Create(new CosmosOptions
        {
            Endpoint = Endpoint,
            AccountKey = EmulatorKey,
            Database = "ragfunctions-tests",
            Container = "history",
            CreateIfMissing = true,
            UseTransactionalBatch = false,
            ConnectionMode = Microsoft.Azure.Cosmos.ConnectionMode.Gateway,
            AllowInsecureServerCertificate = true,
        });
        Containers = new CosmosHistoryContainer(options);
        Store = new CosmosConversationStore(Containers, options, Options.Create(new HistoryOptions { DeletedRetentionDays = RetentionDays }));
        await Containers.GetContainerAsync(CancellationToken.None);
    }

    public Task DisposeAsync()
    {
        Containers?.Dispose();
        _server?.Dispose();
        return Task.CompletedTask;
    }
}
