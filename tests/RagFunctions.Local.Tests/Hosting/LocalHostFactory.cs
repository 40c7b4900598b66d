using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RagFunctions.Api.Identity;
using RagFunctions.Local.Hosting;
using RagFunctions.Local.Identity;

namespace RagFunctions.Local.Tests.Hosting;

/// <summary>Starts the real local host in-process on a fresh temporary data directory; extra settings override defaults.</summary>
public sealed class LocalHostFactory : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;

    public LocalHostFactory(IDictionary<string, string?>? settings = null, string? dataDirectory = null)
    {
        DataDirectory = dataDirectory ?? Path.Combine(Path.GetTempPath(), "ragfunctions-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(DataDirectory);
        _settings = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>())
        {
            ["RagFunctions:Local:DataDirectory"] = DataDirectory,
        };
    }

    public string DataDirectory { get; }

    /// <summary>The writer role tests upload and delete with (the default of RagFunctions:Auth:DocumentWriterRole).</summary>
    public const string WriterRole = "documents.write";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
    }
}

/// <summary>Signed-in clients for any local host factory (also ones derived with WithWebHostBuilder).</summary>
public static class AuthenticatedClients
{
    /// <summary>A development token for <paramref name="user"/>, signed with the host's key, as <c>token</c> would mint it.</summary>
    public static string TokenFor(this WebApplicationFactory<Program> factory, string user, IReadOnlyList<string>? groups = null, params string[] roles)
    {
        ArgumentNullException.ThrowIfNull(factory);
        var auth = factory.Services.GetRequiredService<IOptions<AuthOptions>>().Value;
        var host = factory.Services.GetRequiredService<IOptions<LocalHostOptions>>().Value;
        return TokenCommand.Mint(auth, host, new TokenCommand.TokenRequest(user, null, groups ?? [], TimeSpan.FromHours(1)) { Roles = roles }, TimeProvider.System);
    }

    /// <summary>A client signed in as <paramref name="user"/> with the given groups and roles.</summary>
    public static HttpClient CreateClientAs(this WebApplicationFactory<Program> factory, string user, IReadOnlyList<string>? groups = null, params string[] roles)
    {
        var token = factory.TokenFor(user, groups, roles);
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>A signed-in document writer (the drop-folder operator of the ingestion tests).</summary>
    public static HttpClient CreateWriterClient(this WebApplicationFactory<Program> factory) =>
        factory.CreateClientAs("operator", null, LocalHostFactory.WriterRole);
}
