using RagFunctions.Core.Ingestion.Workflow;
using Xunit.Abstractions;

namespace RagFunctions.App.Tests.Durable;

/// <summary>Durable keeps every orchestration and activity input/output in its history and queue messages; none may carry
/// document text or vectors. Measured on a real 2,400-page PDF.</summary>
public sealed class PayloadSizeTests(ITestOutputHelper output)
{
    private const int Limit = 64 * 1024;

    [Fact]
    public async Task Every_orchestration_payload_stays_under_64_KB_while_R_reference_manual_is_ingested()
    {
        Assert.True(File.Exists(Repository.RefmanPdf), $"{Repository.RefmanPdf} is missing: run scripts/setup-test-deps.sh");
        await using var harness = await IngestionHarness.StartAsync(new Dictionary<string, string?>
        {
            // The default extraction budget (120 s) is for one document on an idle worker; this machine runs other builds.
            ["RagFunctions:Ingestion:Limits:ExtractionTimeoutSeconds"] = "900",
        });

        var instanceId = await harness.DeliverAsync("refman.pdf", await File.ReadAllBytesAsync(Repository.RefmanPdf));
        var outcome = await harness.CompletionAsync(instanceId!, TimeSpan.FromMinutes(10));

        var (bytes, type) = harness.Payloads.Largest;
        output.WriteLine($"refman.pdf: {outcome.ChunkCount} chunks, {harness.ActivityStarts[IngestionActivityNames.EmbedBatch]} embedding batches, "
            + $"{harness.Payloads.Count} payloads, largest {bytes} bytes ({type})");
        Assert.Equal(IngestionOutcomeKind.Indexed, outcome.Kind);
        Assert.True(outcome.ChunkCount > 1000, $"refman.pdf gave only {outcome.ChunkCount} chunks");
        Assert.True(bytes < Limit, $"largest payload {bytes} bytes ({type}) is not under {Limit}");
    }
}
