using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using RagFunctions.Core.Ingestion.Catalog;
using RagFunctions.Local.Tests.Hosting;

namespace RagFunctions.Local.Tests.Security;

/// <summary>
/// The cross-user matrix for documents on the real local host (SQLite catalog, local index, JwtBearer tokens): who may
/// upload, list, read, search, cite and delete what. alice uploads a private and a team-shared document, the operator a
/// public one, and bob drops one into <c>users/bob/</c> by hand; bob (no groups), carol (team) and alice look at them.
/// </summary>
public sealed class DocumentAccessMatrixTests : IClassFixture<DocumentAccessMatrixTests.World>
{
    private readonly World _world;

    public DocumentAccessMatrixTests(World world) => _world = world;

    /// <summary>Documents uploaded once for the whole class (ingestion takes a moment).</summary>
    public sealed class World : IAsyncLifetime
    {
        public LocalHostFactory Host { get; } = new(new Dictionary<string, string?>
        {
            ["RagFunctions:Ingestion:ScanIntervalSeconds"] = "0.2",
            ["RagFunctions:Ingestion:SettleMilliseconds"] = "50",
        });

        public string PrivateId { get; private set; } = "";
        public string TeamId { get; private set; } = "";
        public string PublicId { get; private set; } = "";
        public string BobDroppedId { get; private set; } = "";
        public JsonElement PrivateUpload { get; private set; }

        public HttpClient As(string user, params string[] groups) => Host.CreateClientAs(user, groups);

        public HttpClient Writer(string user, params string[] groups) => Host.CreateClientAs(user, groups, LocalHostFactory.WriterRole);

        public async Task InitializeAsync()
        {
            var alice = Writer("alice", "team");
            var privateUpload = await alice.UploadAsync("alice-secret.md", Encoding.UTF8.GetBytes("# Secret\n\nThe zanzibar launch code is private to alice."), visibility: null);
            Assert.Equal(HttpStatusCode.Accepted, privateUpload.StatusCode);
            PrivateUpload = await privateUpload.Content.ReadFromJsonAsync<JsonElement>();
            PrivateId = PrivateUpload.GetProperty("id").GetString()!;

            var team = await alice.UploadAsync("team-plan.md", Encoding.UTF8.GetBytes("# Plan\n\nThe quokka roadmap is for the team only."), visibility: "shared", groups: "team");
            Assert.Equal(HttpStatusCode.Accepted, team.StatusCode);
            TeamId = (await team.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

            var open = await Writer("operator").UploadAsync("handbook.md", Encoding.UTF8.GetBytes("# Handbook\n\nThe wombat handbook is for everyone."));
            Assert.Equal(HttpStatusCode.Accepted, open.StatusCode);
            PublicId = (await open.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

            // The folder convention: a file dropped under users/bob/ is bob's alone.
            var bobFolder = Path.Combine(Host.DataDirectory, "documents", "users", "bob");
            Directory.CreateDirectory(bobFolder);
            await File.WriteAllTextAsync(Path.Combine(bobFolder, "bob-diary.md"), "# Diary\n\nThe platypus diary belongs to bob.");
            BobDroppedId = DocumentIds.FromSourcePath("users/bob/bob-diary.md");

            var operatorClient = Writer("alice", "team");
            foreach (var id in new[] { PrivateId, TeamId, PublicId })
            {
                Assert.Equal("indexed", (await operatorClient.WaitForFinalStatusAsync(id)).GetProperty("status").GetString());
            }

            Assert.Equal("indexed", (await As("bob").WaitForFinalStatusAsync(BobDroppedId)).GetProperty("status").GetString());
        }

        public Task DisposeAsync()
        {
            Host.Dispose();
            return Task.CompletedTask;
        }
    }

    private static async Task<HashSet<string>> ListedAsync(HttpClient client)
    {
        var list = await client.GetFromJsonAsync<JsonElement>("/api/documents");
        return [.. list.GetProperty("documents").EnumerateArray().Select(d => d.GetProperty("id").GetString()!)];
    }

    private static async Task<HashSet<string>> FoundAsync(HttpClient client, string q) =>
        [.. (await client.SearchAsync(q, 10)).Select(h => h.GetProperty("documentId").GetString()!)];

    [Fact]
    public void A_private_upload_goes_to_the_uploaders_folder_and_names_its_owner()
    {
        Assert.Equal("users/alice/alice-secret.md", _world.PrivateUpload.GetProperty("sourcePath").GetString());
        Assert.Equal("private", _world.PrivateUpload.GetProperty("visibility").GetString());
        Assert.Equal(["alice"], _world.PrivateUpload.GetProperty("ownerIds").EnumerateArray().Select(e => e.GetString()));
    }

    [Theory]
    [InlineData("GET", "/api/documents")]
    [InlineData("GET", "/api/documents/doc-0123")]
    [InlineData("DELETE", "/api/documents/doc-0123")]
    [InlineData("POST", "/api/documents")]
    [InlineData("GET", "/api/search?q=wombat")]
    public async Task Every_document_route_needs_an_identity(string method, string url)
    {
        using var response = await _world.Host.CreateClient().SendAsync(new HttpRequestMessage(new HttpMethod(method), url));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.ToString());
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Writing_needs_the_writer_role()
    {
        var reader = _world.As("alice", "team");

        using var upload = await reader.UploadAsync("nope.md", Encoding.UTF8.GetBytes("x"));
        using var delete = await reader.DeleteAsync($"/api/documents/{_world.PrivateId}");

        Assert.Equal(HttpStatusCode.Forbidden, upload.StatusCode);
        var problem = await upload.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("/problems/forbidden", problem.GetProperty("type").GetString());
        Assert.Contains("RagFunctions:Auth:DocumentWriterRole", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, delete.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync($"/api/documents/{_world.PrivateId}")).StatusCode);
    }

    [Fact]
    public async Task Sharing_is_only_with_groups_the_uploader_belongs_to_and_arguments_are_checked()
    {
        var alice = _world.Writer("alice", "team");

        using var foreign = await alice.UploadAsync("x.md", Encoding.UTF8.GetBytes("x"), visibility: "shared", groups: "finance");
        using var noGroups = await alice.UploadAsync("x.md", Encoding.UTF8.GetBytes("x"), visibility: "shared");
        using var badVisibility = await alice.UploadAsync("x.md", Encoding.UTF8.GetBytes("x"), visibility: "everyone");
        using var badGroup = await _world.Writer("alice", "../etc").UploadAsync("x.md", Encoding.UTF8.GetBytes("x"), visibility: "shared", groups: "../etc");

        Assert.Equal(HttpStatusCode.Forbidden, foreign.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, noGroups.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badVisibility.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badGroup.StatusCode);
    }

    [Fact]
    public async Task Each_user_lists_exactly_what_they_may_read()
    {
        Assert.Equal([_world.PublicId, _world.BobDroppedId], (await ListedAsync(_world.As("bob"))).Order().ToHashSet());
        Assert.Equal([_world.PublicId, _world.TeamId], (await ListedAsync(_world.As("carol", "team"))).Order().ToHashSet());
        Assert.Equal([_world.PublicId, _world.TeamId, _world.PrivateId], (await ListedAsync(_world.As("alice"))).Where(id => id != _world.TeamId).Append(_world.TeamId).Order().ToHashSet());
        Assert.DoesNotContain(_world.TeamId, await ListedAsync(_world.As("alice")));
        Assert.Contains(_world.TeamId, await ListedAsync(_world.As("alice", "team")));
        Assert.DoesNotContain(_world.BobDroppedId, await ListedAsync(_world.As("alice", "team")));
    }

    [Theory]
    [InlineData("bob", "", "PrivateId")]
    [InlineData("bob", "", "TeamId")]
    [InlineData("carol", "team", "PrivateId")]
    [InlineData("alice", "team", "BobDroppedId")]
    public async Task Another_users_private_or_another_groups_document_is_404_for_status_and_delete_even_for_a_writer(string user, string group, string which)
    {
        var id = (string)typeof(World).GetProperty(which)!.GetValue(_world)!;
        var client = _world.Writer(user, group.Length == 0 ? [] : [group]);

        using var status = await client.GetAsync($"/api/documents/{id}");
        using var delete = await client.DeleteAsync($"/api/documents/{id}");

        Assert.Equal(HttpStatusCode.NotFound, status.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, delete.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _world.Writer("alice", "team").GetAsync($"/api/documents/{_world.PrivateId}")).StatusCode);
    }

    [Fact]
    public async Task Search_shows_only_readable_documents()
    {
        // The vector retriever returns near misses too, so each check names the document that must (not) appear.
        Assert.DoesNotContain(_world.PrivateId, await FoundAsync(_world.As("bob"), "zanzibar launch code"));
        Assert.DoesNotContain(_world.TeamId, await FoundAsync(_world.As("bob"), "quokka roadmap"));
        Assert.Contains(_world.PublicId, await FoundAsync(_world.As("bob"), "wombat handbook"));
        Assert.Contains(_world.BobDroppedId, await FoundAsync(_world.As("bob"), "platypus diary"));
        Assert.Contains(_world.TeamId, await FoundAsync(_world.As("carol", "team"), "quokka roadmap"));
        Assert.DoesNotContain(_world.PrivateId, await FoundAsync(_world.As("carol", "team"), "zanzibar launch code"));
        Assert.Contains(_world.PrivateId, await FoundAsync(_world.As("alice"), "zanzibar launch code"));
        // A user whose id equals a group name is not a member of that group.
        Assert.DoesNotContain(_world.TeamId, await FoundAsync(_world.As("team"), "quokka roadmap"));
    }

    [Fact]
    public async Task Chat_citations_never_name_a_document_the_caller_may_not_read()
    {
        var bob = _world.As("bob");
        var created = await bob.PostAsJsonAsync("/api/chat/conversations", new { title = "Codes" });
        var conversationId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        var turn = await bob.PostAsJsonAsync($"/api/chat/conversations/{conversationId}/messages", new { content = "What is the zanzibar launch code and the quokka roadmap?" });
        turn.EnsureSuccessStatusCode();
        var body = await turn.Content.ReadFromJsonAsync<JsonElement>();

        var cited = body.GetProperty("citations").EnumerateArray().Select(c => c.GetProperty("documentId").GetString()).ToList();
        Assert.DoesNotContain(_world.PrivateId, cited);
        Assert.DoesNotContain(_world.TeamId, cited);
        Assert.DoesNotContain("zanzibar", body.GetProperty("assistantMessage").GetProperty("content").GetString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task The_list_is_paged_filtered_by_status_and_its_token_is_bound_to_the_caller()
    {
        var alice = _world.As("alice", "team");
        var seen = new List<string>();
        string? token = null;
        do
        {
            var page = await alice.GetFromJsonAsync<JsonElement>($"/api/documents?limit=1&status=indexed{(token is null ? "" : "&continuationToken=" + Uri.EscapeDataString(token))}");
            var documents = page.GetProperty("documents").EnumerateArray().ToList();
            Assert.True(documents.Count <= 1);
            seen.AddRange(documents.Select(d => d.GetProperty("id").GetString()!));
            Assert.All(documents, d => Assert.Equal("indexed", d.GetProperty("status").GetString()));
            token = page.GetProperty("continuationToken").ValueKind == JsonValueKind.String ? page.GetProperty("continuationToken").GetString() : null;
            if (token is not null && seen.Count == 1)
            {
                // Another user's (or another filter's) token is refused.
                Assert.Equal(HttpStatusCode.BadRequest, (await _world.As("bob").GetAsync($"/api/documents?limit=1&status=indexed&continuationToken={Uri.EscapeDataString(token)}")).StatusCode);
                Assert.Equal(HttpStatusCode.BadRequest, (await alice.GetAsync($"/api/documents?limit=1&continuationToken={Uri.EscapeDataString(token)}")).StatusCode);
            }
        }
        while (token is not null);

        Assert.Equal(3, seen.Count);
        Assert.Equal(3, seen.Distinct().Count());
        Assert.Empty((await alice.GetFromJsonAsync<JsonElement>("/api/documents?status=failed")).GetProperty("documents").EnumerateArray());
        Assert.Equal(HttpStatusCode.BadRequest, (await alice.GetAsync("/api/documents?status=bogus")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await alice.GetAsync("/api/documents?limit=0")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await alice.GetAsync("/api/documents?continuationToken=garbage")).StatusCode);
    }
}
