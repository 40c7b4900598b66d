using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RagFunctions.Core.Ingestion;
using RagFunctions.Core.Ingestion.Catalog;
using RagFunctions.Local.Hosting;
using RagFunctions.Local.Ingestion;
using RagFunctions.Local.Tests.Hosting;

namespace RagFunctions.Local.Tests.Security;

/// <summary>The drop folder never follows a link out of itself. Real symbolic links (File.CreateSymbolicLink /
/// Directory.CreateSymbolicLink) to a folder next to the drop folder hold the "outside" files.</summary>
public sealed class DropFolderLinkTests : IDisposable
{
    private readonly string _base = Path.Combine(Path.GetTempPath(), "ragfunctions-tests", "links-" + Guid.NewGuid().ToString("N"));
    private readonly string _outside;
    private readonly string _secret;

    public DropFolderLinkTests()
    {
        _outside = Path.Combine(_base, "outside");
        Directory.CreateDirectory(_outside);
        _secret = Path.Combine(_outside, "passwd.txt");
        File.WriteAllText(_secret, "root:x:0:0:capybara-secret:/root:/bin/bash");
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_base, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private sealed class CountingLogger : ILogger<DropFolder>
    {
        public List<string> Warnings { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel == LogLevel.Warning)
            {
                Warnings.Add(formatter(state, exception));
            }
        }
    }

    private DropFolder Folder(ILogger<DropFolder>? logger = null) => new(
        Options.Create(new IngestionOptions { DropFolder = Path.Combine(_base, "docs") }),
        Options.Create(new LocalHostOptions { DataDirectory = _base }),
        logger);

    [Fact]
    public async Task Links_leading_outside_are_refused_by_every_path_check_and_logged_once()
    {
        var logger = new CountingLogger();
        var folder = Folder(logger);
        File.WriteAllText(Path.Combine(folder.Root, "good.md"), "fine");
        File.CreateSymbolicLink(Path.Combine(folder.Root, "p.txt"), _secret);
        Directory.CreateSymbolicLink(Path.Combine(folder.Root, "escape"), _outside);
        File.CreateSymbolicLink(Path.Combine(folder.Root, "alias.md"), Path.Combine(folder.Root, "good.md"));

        var listed = folder.EnumerateFiles().Select(folder.ToSourcePath).Order(StringComparer.Ordinal).ToList();
        _ = folder.EnumerateFiles().ToList();

        // A link that stays inside is an ordinary file; the two leading outside are not listed, and each is logged once.
        Assert.Equal(["alias.md", "good.md"], listed);
        Assert.Equal(2, logger.Warnings.Count);
        Assert.Contains(logger.Warnings, w => w.Contains("'p.txt'", StringComparison.Ordinal));
        Assert.Throws<ArgumentException>(() => folder.ToFullPath("p.txt"));
        Assert.Throws<ArgumentException>(() => folder.ToFullPath("escape/passwd.txt"));
        Assert.Null(folder.Load("escape/passwd.txt"));
        Assert.Null(folder.Load("p.txt"));
        Assert.Null(await folder.OpenReadAsync("escape/passwd.txt", CancellationToken.None));
        Assert.Equal(Path.Combine(folder.Root, "alias.md"), folder.ToFullPath("alias.md"));
    }

    [Fact]
    public async Task Delete_under_a_linked_directory_never_touches_the_file_outside()
    {
        var folder = Folder();
        Directory.CreateSymbolicLink(Path.Combine(folder.Root, "sub"), _outside);

        await folder.DeleteAsync("sub/passwd.txt", CancellationToken.None);

        Assert.True(File.Exists(_secret));
    }

    [Fact]
    public async Task An_upload_into_a_linked_user_folder_is_refused_and_writes_nothing_outside()
    {
        var folder = Folder();
        Directory.CreateDirectory(Path.Combine(folder.Root, "users"));
        Directory.CreateSymbolicLink(Path.Combine(folder.Root, "users", "mallory"), _outside);

        await Assert.ThrowsAsync<RagFunctions.Core.Common.ForbiddenProblemException>(() =>
            folder.SaveAsync("users/mallory", "planted.md", new MemoryStream("x"u8.ToArray()), CancellationToken.None));

        Assert.False(File.Exists(Path.Combine(_outside, "planted.md")));
    }

    [Fact]
    public async Task On_the_running_host_a_linked_file_is_never_searchable_and_delete_through_a_linked_directory_keeps_the_outside_file()
    {
        using var host = new LocalHostFactory(new Dictionary<string, string?>
        {
            ["RagFunctions:Ingestion:ScanIntervalSeconds"] = "0.2",
            ["RagFunctions:Ingestion:SettleMilliseconds"] = "50",
            ["RagFunctions:Ingestion:DropFolder"] = Path.Combine(_base, "hostdocs"),
        });
        var client = host.CreateWriterClient();
        var root = Path.Combine(_base, "hostdocs");
        Directory.CreateDirectory(Path.Combine(root, "sub"));
        await File.WriteAllTextAsync(Path.Combine(root, "sub", "passwd.txt"), "an ordinary file for now");
        File.CreateSymbolicLink(Path.Combine(root, "p.txt"), _secret);
        await File.WriteAllTextAsync(Path.Combine(root, "good.md"), "# Good\n\nThe capybara handbook.");

        var subId = DocumentIds.FromSourcePath("sub/passwd.txt");
        Assert.Equal("indexed", (await client.WaitForFinalStatusAsync(DocumentIds.FromSourcePath("good.md"))).GetProperty("status").GetString());
        Assert.Equal("indexed", (await client.WaitForFinalStatusAsync(subId)).GetProperty("status").GetString());

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/documents/{DocumentIds.FromSourcePath("p.txt")}")).StatusCode);
        Assert.DoesNotContain(await client.SearchAsync("capybara-secret root", 10), h => h.GetProperty("content").GetString()!.Contains("capybara-secret", StringComparison.Ordinal));

        // The directory is swapped for a link to the outside folder, which holds a file of the same name.
        Directory.Delete(Path.Combine(root, "sub"), recursive: true);
        Directory.CreateSymbolicLink(Path.Combine(root, "sub"), _outside);
        using var delete = await client.DeleteAsync($"/api/documents/{subId}");

        // 204 when the delete came first, 404 when the next scan already dropped the document whose path now leads outside.
        Assert.Contains(delete.StatusCode, new[] { HttpStatusCode.NoContent, HttpStatusCode.NotFound });
        Assert.True(File.Exists(_secret));
        await DocumentsClient.WaitUntilAsync(async () => (await client.GetAsync($"/api/documents/{subId}")).StatusCode == HttpStatusCode.NotFound);
        var list = await client.GetFromJsonAsync<JsonElement>("/api/documents");
        Assert.DoesNotContain(list.GetProperty("documents").EnumerateArray(), d => d.GetProperty("sourcePath").GetString()!.StartsWith("sub/", StringComparison.Ordinal));
        Assert.True(File.Exists(_secret));
    }
}
