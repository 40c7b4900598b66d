using System.Net;
using System.Text;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RagFunctions.Core.Ingestion.Catalog;
using RagFunctions.Core.Ingestion.Extraction;
using RagFunctions.Local.Tests.Hosting;
using RagFunctions.Tests.Shared.Hostile;

namespace RagFunctions.Local.Tests.Ingestion;

/// <summary>Issue 11's reliability suite on the real local host: the generated hostile corpus dropped beside good real
/// files, deletion of a document whose extraction is running, and the crash loop.</summary>
public sealed class ReliabilityTests
{
    private static readonly Dictionary<string, string?> FastWatch = new()
    {
        ["RagFunctions:Ingestion:ScanIntervalSeconds"] = "0.2",
        ["RagFunctions:Ingestion:SettleMilliseconds"] = "50",
    };

    [Fact]
    public async Task The_hostile_corpus_beside_good_files_leaves_the_host_up_each_hostile_file_failed_and_every_good_file_indexed()
    {
        using var host = new LocalHostFactory(FastWatch);
        var client = host.CreateWriterClient();
        var folder = Path.Combine(host.DataDirectory, "documents");
        Directory.CreateDirectory(folder);

        var good = GoodFiles();
        foreach (var (name, content) in good)
        {
            await File.WriteAllBytesAsync(Path.Combine(folder, name), content);
        }

        var hostile = HostileCorpus.All();
        foreach (var file in hostile)
        {
            await File.WriteAllBytesAsync(Path.Combine(folder, file.Name), file.Content);
        }

        foreach (var file in hostile)
        {
            var record = await client.WaitForFinalStatusAsync(DocumentIds.FromSourcePath(file.Name), TimeSpan.FromMinutes(3));
            if (file.ExpectedReason is { } reason)
            {
                Assert.True(record.GetProperty("status").GetString() == "failed", $"{file.Name}: {record}");
                Assert.Contains(reason, record.GetProperty("failureReason").GetString(), StringComparison.Ordinal);
            }
        }

        foreach (var (name, _) in good)
        {
            var record = await client.WaitForFinalStatusAsync(DocumentIds.FromSourcePath(name), TimeSpan.FromMinutes(3));
            Assert.True(record.GetProperty("status").GetString() == "indexed", $"{name}: {record}");
        }

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/health")).StatusCode);
        Assert.NotEmpty(await client.SearchAsync("Apache License"));
    }

    [Fact]
    public async Task Deleting_a_document_cancels_its_running_extraction()
    {
        var stalling = new StallingExtractor();
        using var root = new LocalHostFactory(FastWatch);
        using var host = root.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<IDocumentExtractor>(stalling)));
        var client = host.CreateWriterClient();
        var folder = Path.Combine(root.DataDirectory, "documents");
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, "endless.stall"), "spins until cancelled");
        var id = DocumentIds.FromSourcePath("endless.stall");
        await stalling.Entered.Task.WaitAsync(TimeSpan.FromSeconds(60));

        var response = await client.DeleteAsync($"/api/documents/{id}");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        await stalling.Cancelled.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>The crash is simulated: the worker gets stuck inside extraction (after the attempt was recorded) and the
    /// host is then abandoned, so — exactly as after a SIGABRT — nothing of that run executes any further; a fresh host
    /// then starts on the same data directory. This proves the attempt counter and the quarantine across restarts of the
    /// real host; it does not kill an actual process.</summary>
    [Fact]
    public async Task A_file_that_kills_the_worker_is_quarantined_after_the_allowed_restarts_until_its_content_changes()
    {
        var data = Path.Combine(Path.GetTempPath(), "ragfunctions-tests", Guid.NewGuid().ToString("N"));
        var folder = Path.Combine(data, "documents");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "poison.crash");
        await File.WriteAllTextAsync(path, "crash");
        var id = DocumentIds.FromSourcePath("poison.crash");
        var crashing = new CrashingExtractor();
        try
        {
            // Default MaxInterruptedAttempts = 2: the first attempt and two more die with their worker.
            for (var run = 1; run <= 3; run++)
            {
                using var host = StartHost(data, crashing);
                await crashing.WaitForAttemptAsync(run);
            }

            using (var host = StartHost(data, crashing))
            {
                var client = host.CreateWriterClient();
                var record = await client.WaitForFinalStatusAsync(id);
                Assert.Equal("failed", record.GetProperty("status").GetString());
                Assert.Equal("ingestion crashed the worker (quarantined)", record.GetProperty("failureReason").GetString());
                Assert.Equal(3, crashing.Attempts);
            }

            // Not retried on the next start while the content is the same.
            using (var host = StartHost(data, crashing))
            {
                var client = host.CreateWriterClient();
                await Task.Delay(TimeSpan.FromSeconds(2));
                Assert.Equal("failed", (await client.GetDocumentAsync(id)).GetProperty("status").GetString());
                Assert.Equal(3, crashing.Attempts);

                // Changed content is a new document version: it is attempted (and this time it is harmless).
                await File.WriteAllTextAsync(path, "Harmless now: the lighthouse keeper logs the tides.");
                var record = await client.WaitForFinalStatusAsync(id, notHash: null, timeout: TimeSpan.FromSeconds(60));
                await DocumentsClient.WaitUntilAsync(async () =>
                    (await client.GetDocumentAsync(id)).GetProperty("status").GetString() == "indexed");
                Assert.Equal(4, crashing.Attempts);
            }
        }
        finally
        {
            crashing.Release();
        }
    }

    private static WebApplicationFactory<Program> StartHost(string data, CrashingExtractor crashing)
    {
        var factory = new LocalHostFactory(FastWatch, data).WithWebHostBuilder(b => b.ConfigureTestServices(s =>
        {
            s.AddSingleton<IDocumentExtractor>(crashing);
            // The stuck worker never finishes; do not wait the default 30 s for it when the "dead" host is abandoned.
            s.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromMilliseconds(500));
        }));
        _ = factory.Server; // starts the host (and its drop-folder watcher)
        return factory;
    }

    /// <summary>Real files of this machine (Debian documentation and licences) plus a generated ordinary PDF and DOCX.</summary>
    private static List<(string Name, byte[] Content)> GoodFiles()
    {
        var files = new List<(string, byte[])>
        {
            ("apache-license.txt", File.ReadAllBytes("/usr/share/common-licenses/Apache-2.0")),
            ("ordinary.pdf", PdfFile.Text("Ordinary PDF text about lighthouse keepers and their tide tables.")),
            ("ordinary.docx", HostileCorpus.Docx(w => w.Write("<w:p><w:r><w:t>Ordinary DOCX text about harbour pilots.</w:t></w:r></w:p>"))),
        };
        foreach (var candidate in new[] { "/usr/share/doc/base-passwd/users-and-groups.html", "/usr/share/doc/procps/bugs.md" })
        {
            if (File.Exists(candidate))
            {
                files.Add(("real-" + Path.GetFileName(candidate), File.ReadAllBytes(candidate)));
            }
        }

        return files;
    }

    private sealed class StallingExtractor : IDocumentExtractor
    {
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Cancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public IReadOnlyCollection<string> Extensions { get; } = [".stall"];

        public Task<ExtractedDocument> ExtractAsync(Stream content, string fileName, CancellationToken cancellationToken)
        {
            Entered.TrySetResult();
            try
            {
                while (true)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    Thread.Sleep(20);
                }
            }
            catch (OperationCanceledException)
            {
                Cancelled.TrySetResult();
                throw;
            }
        }
    }

    /// <summary>For content "crash": blocks its thread forever without looking at cancellation (the stand-in for a worker
    /// that died); for any other content: extracts it as text.</summary>
    private sealed class CrashingExtractor : IDocumentExtractor
    {
        private readonly SemaphoreSlim _never = new(0);
        private int _attempts;

        public IReadOnlyCollection<string> Extensions { get; } = [".crash"];

        public int Attempts => Volatile.Read(ref _attempts);

        public async Task<ExtractedDocument> ExtractAsync(Stream content, string fileName, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _attempts);
            var text = await new StreamReader(content, Encoding.UTF8).ReadToEndAsync(CancellationToken.None);
            if (text == "crash")
            {
                _never.Wait(CancellationToken.None);
                throw new InvalidOperationException("released at the end of the test");
            }

            return new ExtractedDocument(fileName, [new TextBlock(text, BlockKind.Paragraph)]);
        }

        public async Task WaitForAttemptAsync(int attempt)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (Attempts < attempt)
            {
                Assert.True(DateTime.UtcNow < deadline, $"attempt {attempt} never started");
                await Task.Delay(50);
            }
        }

        public void Release() => _never.Release(100);
    }
}
