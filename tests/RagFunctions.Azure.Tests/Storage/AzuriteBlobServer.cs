using System.Globalization;
using RagFunctions.Azure.Tests.Servers;

namespace RagFunctions.Azure.Tests.Storage;

/// <summary>Starts Azurite's blob service (npm <c>azurite</c>, installed by scripts/setup-test-deps.sh into .cache/azurite) on a
/// free loopback port, in memory and without telemetry; kills it on dispose. Its API-version check stays on, so the tests prove
/// that <see cref="ServiceVersion"/> is a version the emulator accepts.</summary>
public sealed class AzuriteBlobServer : IAsyncLifetime
{
    /// <summary>Azurite's well-known development account and key (public, documented in Azurite's README; not a secret).</summary>
    public const string AccountName = "devstoreaccount1";

    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    /// <summary>The newest Blob REST version Azurite 3.37.0 accepts (its ValidAPIVersions); the SDK default 2026-10-06 is refused.</summary>
    public const string ServiceVersion = "2026-06-06";

    private NodeServerProcess? _server;

    /// <summary>e.g. <c>http://127.0.0.1:PORT/devstoreaccount1</c>.</summary>
    public Uri BlobEndpoint { get; private set; } = null!;

    /// <summary>A connection string for the emulator, as <c>AzureWebJobsStorage</c> holds it under <c>func start</c>.</summary>
    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};BlobEndpoint={BlobEndpoint};";

    public static string? RepositoryRoot() => NodeServerProcess.RepositoryRoot(Path.Combine("scripts", "setup-test-deps.sh"));

    private static string? MainScript() =>
        RepositoryRoot() is { } root ? Path.Combine(root, ".cache", "azurite", "node_modules", "azurite", "dist", "src", "blob", "main.js") : null;

    /// <summary>Null when Azurite is installed; otherwise what is missing.</summary>
    public static string? MissingPrerequisite() => MainScript() switch
    {
        null => "scripts/setup-test-deps.sh was not found above the test binaries.",
        var main when File.Exists(main) => null,
        var main => $"{main} is missing: run scripts/setup-test-deps.sh (installs azurite with npm).",
    };

    /// <summary>Skips Azurite tests when it is not installed, except in CI (CI=true), where the fixture then fails saying what is missing.</summary>
    public static string? SkipReason()
    {
        var missing = MissingPrerequisite();
        return missing is null || string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase)
            ? null
            : "Azurite not installed (" + missing + ")";
    }

    public async Task InitializeAsync()
    {
        if (MissingPrerequisite() is { } missing)
        {
            throw new InvalidOperationException("Azurite cannot start: " + missing);
        }

        var port = NodeServerProcess.FreePort();
        _server = await NodeServerProcess.StartAsync(
            "Azurite",
            [
                MainScript()!,
                "--inMemoryPersistence", "--disableTelemetry", "--silent",
                "--blobHost", "127.0.0.1", "--blobPort", port.ToString(CultureInfo.InvariantCulture),
            ],
            Path.GetTempPath(),
            readyMarker: "successfully listens on",
            TimeSpan.FromSeconds(60));
        BlobEndpoint = new Uri($"http://127.0.0.1:{port}/{AccountName}");
    }

    public Task DisposeAsync()
    {
        _server?.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>A test against Azurite, skipped (with the reason) when it is not installed outside CI.</summary>
public sealed class AzuriteFactAttribute : FactAttribute
{
    public AzuriteFactAttribute() => Skip = AzuriteBlobServer.SkipReason();
}

/// <summary>A data-driven test against Azurite, skipped like <see cref="AzuriteFactAttribute"/>.</summary>
public sealed class AzuriteTheoryAttribute : TheoryAttribute
{
    public AzuriteTheoryAttribute() => Skip = AzuriteBlobServer.SkipReason();
}

/// <summary>One Azurite process for every test class that uses it (classes in the collection run one after another).</summary>
[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteBlobServer>
{
    public const string Name = "Azurite";
}
