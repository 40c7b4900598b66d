using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using RagFunctions.Local.Tests.Hosting;
using Xunit.Abstractions;

namespace RagFunctions.Local.Tests.Frontend;

/// <summary>Skipped when Debian's chromium is missing, except on CI (CI=true), where a missing browser fails the test.</summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute()
    {
        if (TestTools.Chromium() is null && !TestTools.OnCi)
        {
            Skip = "chromium is not installed; run scripts/setup-test-deps.sh";
        }
    }
}

/// <summary>The chat page in a real browser: Debian's chromium, headless, driven by Playwright against the real local host on Kestrel
/// (real SQLite, real ingestion, the extractive answerer). A user signs in with a development token, uploads a real document,
/// watches it become indexed, asks, sees the streamed answer with a citation, opens the cited passage, gives feedback, renames and
/// deletes the conversation. The screenshot path is printed to the test log.</summary>
public sealed class ChatPageBrowserTests(ITestOutputHelper output) : IDisposable
{
    /// <summary>A real document every Debian system has (package base-passwd, priority required).</summary>
    private const string RealDocument = "/usr/share/doc/base-passwd/users-and-groups.html";

    private readonly LocalHostFactory _host = new(new Dictionary<string, string?> { ["urls"] = "http://127.0.0.1:0" });

    public void Dispose() => _host.Dispose();

    [BrowserFact]
    public async Task A_user_uploads_asks_opens_a_citation_and_renames_and_deletes_the_conversation()
    {
        var chromium = TestTools.Chromium() ?? throw new InvalidOperationException("chromium is missing: run scripts/setup-test-deps.sh");
        Assert.True(File.Exists(RealDocument), $"{RealDocument} is missing (Debian package base-passwd)");
        var baseUrl = StartServer();
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = chromium, Headless = true });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });
        var consoleErrors = new List<string>();
        page.Console += (_, m) => { if (m.Type == "error") consoleErrors.Add(m.Text); };
        page.Dialog += async (_, d) => await d.AcceptAsync();

        await page.GotoAsync(baseUrl + "/");
        await Expect(page.Locator("#user-status")).ToHaveTextAsync("Signed in as alice");

        // Upload a real document and watch its status become indexed live.
        await page.GetByLabel("Upload documents").SetInputFilesAsync(RealDocument);
        var document = page.Locator("#document-list li[data-document='users-and-groups.html']");
        await Expect(document.Locator(".status")).ToContainTextAsync("indexed", new() { Timeout = 60_000 });
        // The first ingestion embedded every chunk: the tooltip says so (the vector cache had nothing to reuse yet).
        await Expect(document.Locator(".status")).ToHaveAttributeAsync("title", new System.Text.RegularExpressions.Regex(@"^embedded (\d+) of \1 chunks, 0 reused$"));

        // Ask; the answer streams in with a citation.
        await page.GetByRole(AriaRole.Button, new() { Name = "New chat" }).ClickAsync();
        await page.GetByLabel("Your message").FillAsync("What is the user nobody for?");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send", Exact = true }).ClickAsync();
        var answer = page.Locator("li.message.assistant").Last;
        await Expect(answer.Locator(".feedback")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        var answerText = await answer.Locator(".text").InnerTextAsync();
        Assert.Contains("nobody", answerText, StringComparison.OrdinalIgnoreCase);
        var citation = answer.Locator("ol.citations button").First;
        await Expect(citation).ToContainTextAsync("users-and-groups.html");

        // Open the cited passage: file, page/heading and the passage text.
        await citation.ClickAsync();
        var dialog = page.Locator("dialog#passage");
        await Expect(dialog).ToBeVisibleAsync();
        await Expect(page.Locator("#passage-file")).ToContainTextAsync("users-and-groups.html");
        Assert.False(string.IsNullOrWhiteSpace(await page.Locator("#passage-text").InnerTextAsync()));
        Directory.CreateDirectory(ArtifactsFolder());
        var shot = Path.Combine(ArtifactsFolder(), "chat-page.png");
        await page.ScreenshotAsync(new() { Path = shot, FullPage = true });
        output.WriteLine($"screenshot: {shot}");
        Console.WriteLine($"chat page screenshot: {shot}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Close" }).ClickAsync();
        await Expect(dialog).Not.ToBeVisibleAsync();

        // Feedback is stored (the button shows pressed after the server answered).
        await answer.GetByRole(AriaRole.Button, new() { Name = "Helpful", Exact = true }).ClickAsync();
        await Expect(answer.GetByRole(AriaRole.Button, new() { Name = "Helpful", Exact = true })).ToHaveAttributeAsync("aria-pressed", "true");

        // Rename, then delete the conversation.
        var item = page.Locator("#conversation-list li").First;
        await item.GetByRole(AriaRole.Button, new() { NameRegex = new("^Rename") }).ClickAsync();
        await page.GetByLabel("New title").FillAsync("Users and groups");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page.Locator("#conversation-list .open").First).ToHaveTextAsync("Users and groups");
        await Expect(page.Locator("#conversation-title")).ToHaveTextAsync("Users and groups");
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete Users and groups" }).ClickAsync();
        await Expect(page.Locator("#conversation-list")).ToContainTextAsync("No conversations yet.");

        // A phone-sized viewport: the sidebar folds behind a labelled toggle.
        await page.SetViewportSizeAsync(390, 844);
        var toggle = page.GetByRole(AriaRole.Button, new() { Name = "Conversations & documents" });
        await Expect(toggle).ToBeVisibleAsync();
        await toggle.ClickAsync();
        await Expect(page.Locator("#sidebar")).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(ArtifactsFolder(), "chat-page-phone.png") });

        Assert.Empty(consoleErrors);
    }

    [BrowserFact]
    public async Task An_assessment_conversation_shows_its_welcome_and_suggested_questions()
    {
        var chromium = TestTools.Chromium()!;
        var baseUrl = StartServer();
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = chromium, Headless = true });
        var page = await browser.NewPageAsync();

        await page.GotoAsync(baseUrl + "/");
        await Expect(page.Locator("#user-status")).ToHaveTextAsync("Signed in as alice");
        await page.GetByRole(AriaRole.Button, new() { Name = "New assessment chat" }).ClickAsync();

        await Expect(page.Locator("li.message.assistant").First).ToBeVisibleAsync();
        Assert.False(string.IsNullOrWhiteSpace(await page.Locator("li.message.assistant .text").First.InnerTextAsync()));
        var chips = page.Locator("#suggestions button");
        await Expect(chips.First).ToBeVisibleAsync();
        Assert.True(await chips.CountAsync() >= 2);
    }

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);

    private static string ArtifactsFolder() =>
        Path.Combine(TestTools.RepositoryRoot() ?? Path.GetTempPath(), "artifacts");

    /// <summary>Starts the host on Kestrel at a free loopback port (the browser needs a real socket) and returns its base URL.</summary>
    private string StartServer()
    {
        _host.UseKestrel();
        _host.StartServer();
        var addresses = _host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        return addresses.First().TrimEnd('/');
    }
}
