using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RagFunctions.Api.Identity;
using RagFunctions.Core.Assessment;
using RagFunctions.Core.History;
using RagFunctions.Core.Identity;
using RagFunctions.Local.Assessment;
using RagFunctions.Local.Hosting;
using RagFunctions.Local.Storage;
using RagFunctions.Local.Tests.Hosting;

namespace RagFunctions.Local.Tests.Assessment;

internal static class AssessmentTestKit
{
    public const string UserHeader = "X-Test-User";
    public const string InternalKey = "local-test-key";

    public static string EventJson(string userId = "user-1", string assessmentId = "asm-1", string completedAt = "2026-11-20T10:00:00Z") => $$"""
        { "event_type": "analysis_complete", "event_id": "evt-{{assessmentId}}", "user_id": "{{userId}}", "assessment_id": "{{assessmentId}}",
          "completed_at": "{{completedAt}}",
          "results": { "riasec": {"R":85,"I":92,"A":78,"S":60,"E":55,"C":40},
                       "ocean": {"O":88,"C":75,"E":82,"A":70,"N":30},
                       "via_is": {"creativity":90,"leadership":85} } }
        """;

    public const string ResultsJson = """
        { "riasec": {"R":85,"I":92,"A":78,"S":60,"E":55,"C":40}, "ocean": {"O":88,"C":75,"E":82,"A":70,"N":30}, "viaIs": {"creativity":90} }
        """;

    public static string TempFolder()
    {
        var folder = Path.Combine(Path.GetTempPath(), "ragfunctions-tests", "assessment-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return folder;
    }

    /// <summary>The real local host with an in-memory conversation store and a header-based identity (other features' adapters are faked).</summary>
    public static WebApplicationFactory<Program> Host(
        IConversationStore store, bool withKey = true, AssessmentInboxSettings? inbox = null, Dictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>(settings ?? []);
        if (withKey)
        {
            all["RagFunctions:Assessment:InternalKey"] = InternalKey;
        }

        return new LocalHostFactory(all).WithWebHostBuilder(builder => builder.ConfigureTestServices(services =>
        {
            services.AddSingleton(store);
            services.AddSingleton<ICallerIdentityResolver, HeaderIdentityResolver>();
            // Keep the background inbox quiet unless a test asks for it.
            services.AddSingleton(inbox ?? new AssessmentInboxSettings { PollInterval = TimeSpan.FromHours(1) });
        }));
    }

    public static HttpClient Client(WebApplicationFactory<Program> host, string? user = "user-1")
    {
        var client = host.CreateClient();
        if (user is not null)
        {
            client.DefaultRequestHeaders.Add(UserHeader, user);
        }

        return client;
    }

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>A folder inbox over <paramref name="store"/> (SQLite notifications in a temp database), without a host.</summary>
    public static (AssessmentFolderInbox Inbox, AssessmentInboxFolders Folders) FolderInbox(IConversationStore store, string root, AssessmentInboxSettings? settings = null)
    {
        var local = Options.Create(new LocalHostOptions { DataDirectory = root });
        var options = Options.Create(new AssessmentOptions());
        var notifications = new SqliteNotificationStore(new SqliteDatabase(local));
        var service = new AssessmentConversationService(
            store,
            notifications,
            new AssessmentWelcomeWriter(() => [], TimeProvider.System, NullLogger<AssessmentWelcomeWriter>.Instance),
            options,
            TimeProvider.System,
            NullLogger<AssessmentConversationService>.Instance);
        var processor = new AssessmentMessageProcessor(service, NullLogger<AssessmentMessageProcessor>.Instance);
        var folders = new AssessmentInboxFolders(options, local);
        var inbox = new AssessmentFolderInbox(
            processor, folders, settings ?? new AssessmentInboxSettings { QuietPeriod = TimeSpan.Zero }, TimeProvider.System, NullLogger<AssessmentFolderInbox>.Instance);
        return (inbox, folders);
    }
}

/// <summary>Identity from a test header; no header → no identity (401).</summary>
internal sealed class HeaderIdentityResolver : ICallerIdentityResolver
{
    public CallerIdentity? Resolve(HttpRequest request) =>
        request.Headers.TryGetValue(AssessmentTestKit.UserHeader, out var user) && !string.IsNullOrEmpty(user)
            ? new CallerIdentity(user.ToString(), null, [], "test")
            : null;
}
