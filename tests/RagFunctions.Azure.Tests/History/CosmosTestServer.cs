using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Options;
using RagFunctions.Azure.History;
using RagFunctions.Core.History;

namespace RagFunctions.Azure.Tests.History;

/// <summary>Starts <c>node scripts/cosmos-test-server.js</c> (the @vercel/cosmosdb-server wrapper) on a free loopback port
/// and connects the history store to it with the emulator key in Gateway mode; kills the process on dispose.</summary>
public sealed class CosmosTestServer : IAsyncLifetime
{
    /// <summary>The public, well-known Cosmos DB emulator key (not a secret).</summary>
    public const string EmulatorKey = "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==";

    public const int RetentionDays = 3;

    private readonly StringBuilder _output = new();
    private Process? _process;

    public CosmosHistoryContainer Containers { get; private set; } = null!;

    public CosmosConversationStore Store { get; private set; } = null!;

    public string Endpoint { get; private set; } = "";

    /// <summary>Repository root (holds scripts/cosmos-test-server.js), found by walking up from the test binaries.</summary>
    public static string? RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "scripts", "cosmos-test-server.js")))
            {
                return dir.FullName;
            }
        }

        return null;
    }

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
        var port = FreePort();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var start = new ProcessStartInfo("node", [Path.Combine("scripts", "cosmos-test-server.js"), port.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            WorkingDirectory = RepositoryRoot()!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        _process = new Process { StartInfo = start, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) =>
        {
            Append(e.Data);
            if (e.Data?.Contains("listening on", StringComparison.Ordinal) == true)
            {
                ready.TrySetResult();
            }
        };
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException("The Cosmos DB test server exited early: " + Output()));
        try
        {
            _process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("Could not start 'node' for the Cosmos DB test server; install Node.js (scripts/setup-test-deps.sh).", ex);
        }

        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await ready.Task.WaitAsync(TimeSpan.FromSeconds(30));

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
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }

        _process?.Dispose();
        return Task.CompletedTask;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private string Output()
    {
        lock (_output)
        {
            return _output.ToString();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
