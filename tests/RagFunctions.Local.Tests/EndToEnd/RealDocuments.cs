using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using RagFunctions.Local.Tests.Hosting;

namespace RagFunctions.Local.Tests.EndToEnd;

/// <summary>Real documents nobody on this project wrote: pages of PostgreSQL 15's HTML manual (Debian postgresql-doc-15,
/// unpacked by scripts/setup-test-deps.sh into .cache/testdocs) and Markdown from /usr/share/doc.</summary>
internal static class RealDocuments
{
    public const string PostgresHtml = ".cache/testdocs/postgresql-doc-15/usr/share/doc/postgresql-doc-15/html";

    /// <summary>A small subset, so indexing takes a second or two: the answers live in the first pages; the others compete.</summary>
    public static readonly string[] PostgresPages =
    [
        "runtime-config-connection.html", "config-setting.html", "server-start.html", "sql-cluster.html", "datatype-numeric.html", "bug-reporting.html",
    ];

    public static readonly string[] SystemDocs = ["/usr/share/doc/procps/bugs.md", "/usr/share/doc/nodejs/onboarding.md"];

    public static string? Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "RagFunctions.sln")))
            {
                return dir.FullName;
            }
        }

        return null;
    }

    public static string PostgresPage(string name) => Path.Combine(Root()!, PostgresHtml, name);

    public static IEnumerable<string> All() => PostgresPages.Select(PostgresPage).Concat(SystemDocs);

    public static bool Available() => Root() is not null && All().All(File.Exists);
}

/// <summary>A fact that needs <see cref="RealDocuments"/>: on CI (CI=true) missing files fail the test; locally it is skipped with the command that fetches them.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class RealDocumentsFactAttribute : FactAttribute
{
    public RealDocumentsFactAttribute()
    {
        var onCi = string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
        if (!onCi && !RealDocuments.Available())
        {
            Skip = $"{RealDocuments.PostgresHtml} or /usr/share/doc/procps/bugs.md is missing; run scripts/setup-test-deps.sh";
        }
    }
}

/// <summary>A theory that needs <see cref="RealDocuments"/> (see <see cref="RealDocumentsFactAttribute"/>).</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class RealDocumentsTheoryAttribute : TheoryAttribute
{
    public RealDocumentsTheoryAttribute() => Skip = new RealDocumentsFactAttribute().Skip;
}

/// <summary>One real local host (SQLite, local index, the default MiniLM embedder, extractive answerer, HS256 identity) with the real documents
/// uploaded through the API and indexed once for the test class.</summary>
public sealed class RealDocumentsHost : IAsyncLifetime
{
    public const string SigningKey = "conversation-e2e-signing-key-0123456789";
    public const string InternalKey = "publisher-key-conversations";

    public LocalHostFactory Host { get; } = new(new Dictionary<string, string?>
    {
        ["RagFunctions:Auth:Jwt:SigningKey"] = SigningKey,
        ["RagFunctions:Assessment:InternalKey"] = InternalKey,
    });

    public Dictionary<string, string> DocumentIds { get; } = new(StringComparer.Ordinal);

    public async Task InitializeAsync()
    {
        if (!RealDocuments.Available())
        {
            return;
        }

        // Document routes need a signed-in writer since the security model landed; the files are uploaded public.
        using var client = Host.CreateWriterClient();
        foreach (var path in RealDocuments.All())
        {
            var upload = await client.UploadAsync(Path.GetFileName(path), await File.ReadAllBytesAsync(path));
            upload.EnsureSuccessStatusCode();
            DocumentIds[Path.GetFileName(path)] = (await upload.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        }

        foreach (var id in DocumentIds.Values)
        {
            var record = await client.WaitForFinalStatusAsync(id, TimeSpan.FromSeconds(120));
            Assert.Equal("indexed", record.GetProperty("status").GetString());
        }
    }

    public Task DisposeAsync()
    {
        Host.Dispose();
        return Task.CompletedTask;
    }

    public HttpClient Client(string user, IReadOnlyList<string>? roles = null)
    {
        var client = Host.CreateClient();
        var token = RagFunctions.Local.Identity.TokenCommand.Mint(
            new RagFunctions.Api.Identity.AuthOptions { Jwt = { SigningKey = SigningKey } },
            new RagFunctions.Local.Hosting.LocalHostOptions(),
            new RagFunctions.Local.Identity.TokenCommand.TokenRequest(user, null, [], TimeSpan.FromMinutes(10)) { Roles = roles ?? [] },
            TimeProvider.System);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
