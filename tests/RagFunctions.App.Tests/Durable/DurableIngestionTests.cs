using System.Text;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.AI;
using RagFunctions.Core.Ingestion.Catalog;
using RagFunctions.Core.Ingestion.Chunking;
using RagFunctions.Core.Ingestion.Workflow;

namespace RagFunctions.App.Tests.Durable;

/// <summary>The app's ingestion orchestration on the real Durable SDK (see <see cref="IngestionHarness"/>).</summary>
public sealed class DurableIngestionTests
{
    // Small chunks and batches: a short document fans out into many embedding activities.
    private static readonly Dictionary<string, string?> ManyBatches = new()
    {
        ["RagFunctions:Chunking:MaxTokens"] = "64",
        ["RagFunctions:Chunking:OverlapTokens"] = "8",
        ["RagFunctions:Embedding:MaxBatchInputs"] = "4",
    };

    [Fact]
    public async Task A_document_is_ingested_with_fanned_out_batches_and_every_vector_stays_with_its_chunk()
    {
        await using var harness = await IngestionHarness.StartAsync(ManyBatches);
        // Fan-out proof: the first embedding batch waits until a second one has started. Run one after the other, the
        // first would time out and the document would end failed.
        var started = 0;
        var twoRunning = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        harness.BeforeActivity = async (name, _) =>
        {
            if (name != IngestionActivityNames.EmbedBatch)
            {
                return;
            }

            if (Interlocked.Increment(ref started) >= 2)
            {
                twoRunning.TrySetResult();
            }

            await twoRunning.Task.WaitAsync(TimeSpan.FromSeconds(20));
        };

        var instanceId = await harness.DeliverAsync("handbook.md", Handbook(sections: 24));
        var outcome = await harness.CompletionAsync(Assert.IsType<string>(instanceId));

        Assert.Equal(IngestionOutcomeKind.Indexed, outcome.Kind);
        var written = harness.Get<RecordingSearchIndex>().Written[outcome.DocumentId];
        Assert.Equal(outcome.ChunkCount, written.Count);
        Assert.True(written.Count >= 12, $"expected many chunks, got {written.Count}");
        Assert.Equal((written.Count + 3) / 4, harness.ActivityStarts[IngestionActivityNames.EmbedBatch]);
        Assert.Equal(Enumerable.Range(0, written.Count), written.Select(c => c.Chunk.Ordinal));

        // Each stored vector is the embedding of its own chunk (text with its title/heading context; the embedder is
        // deterministic).
        var embedder = harness.Get<IEmbeddingGenerator<string, Embedding<float>>>();
        var expected = await embedder.GenerateAsync(written.Select(c => ChunkContext.Contextualise(c.Chunk)).ToArray());
        for (var i = 0; i < written.Count; i++)
        {
            Assert.True(expected[i].Vector.Span.SequenceEqual(written[i].Vector.Span), $"chunk {i} carries another chunk's vector");
        }

        var record = await harness.Get<IDocumentCatalog>().GetAsync(outcome.DocumentId, CancellationToken.None);
        Assert.Equal(DocumentStatus.Indexed, record!.Status);
        Assert.Equal(written.Count, record.ChunkCount);
        Assert.False(Directory.Exists(Path.Combine(harness.DataDirectory, "staging", instanceId!)), "the run's staging was not removed");
    }

    [Fact]
    public async Task An_edited_document_reuses_the_vectors_of_its_unchanged_chunks_through_the_activities()
    {
        await using var harness = await IngestionHarness.StartAsync(ManyBatches);
        var original = Handbook(sections: 12);
        var first = await harness.CompletionAsync(Assert.IsType<string>(await harness.DeliverAsync("handbook.md", original)));

        var edited = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(original)
            .Replace("Paragraph 1 of section 5 explains", "Paragraph 1 of section 5, rewritten, explains", StringComparison.Ordinal));
        var second = await harness.CompletionAsync(Assert.IsType<string>(await harness.DeliverAsync("handbook.md", edited)));

        Assert.Equal(IngestionOutcomeKind.Indexed, second.Kind);
        var record = (await harness.Get<IDocumentCatalog>().GetAsync(second.DocumentId, CancellationToken.None))!;
        var firstRecord = harness.Get<RecordingSearchIndex>().ReplaceCalls;
        Assert.Equal(2, firstRecord);
        Assert.NotNull(record.Embedding);
        Assert.Equal(record.ChunkCount, record.Embedding.Embedded + record.Embedding.Reused);
        Assert.InRange(record.Embedding.Embedded, 1, 2);

        // Reused or not, every stored vector is the embedding of its own chunk's text.
        var written = harness.Get<RecordingSearchIndex>().Written[second.DocumentId];
        var expected = await harness.Get<IEmbeddingGenerator<string, Embedding<float>>>()
            .GenerateAsync(written.Select(c => ChunkContext.Contextualise(c.Chunk)).ToArray());
        for (var i = 0; i < written.Count; i++)
        {
            Assert.True(expected[i].Vector.Span.SequenceEqual(written[i].Vector.Span), $"chunk {i} carries a wrong vector");
        }
    }

    [Fact]
    public async Task An_activity_that_fails_once_is_retried_by_the_policy_and_the_document_is_indexed()
    {
        await using var harness = await IngestionHarness.StartAsync();
        var index = harness.Get<RecordingSearchIndex>();
        index.FailReplace = call => call == 1 ? new TimeoutException("search service timed out") : null;

        var outcome = await harness.CompletionAsync((await harness.DeliverAsync("notes.md", Handbook(sections: 3)))!);

        Assert.Equal(IngestionOutcomeKind.Indexed, outcome.Kind);
        Assert.Equal(2, index.ReplaceCalls);
        Assert.Equal(2, harness.ActivityStarts[IngestionActivityNames.Index]);
        var record = await harness.Get<IDocumentCatalog>().GetAsync(outcome.DocumentId, CancellationToken.None);
        Assert.Equal(DocumentStatus.Indexed, record!.Status);
        Assert.Null(record.FailureReason);
    }

    [Fact]
    public async Task A_permanent_failure_ends_the_document_failed_with_the_activitys_own_message()
    {
        const string message = "index rejected the document: field 'content' is longer than 32766 bytes";
        await using var harness = await IngestionHarness.StartAsync();
        var index = harness.Get<RecordingSearchIndex>();
        index.FailReplace = _ => new InvalidOperationException(message);

        var instanceId = await harness.DeliverAsync("notes.md", Handbook(sections: 3));
        var outcome = await harness.CompletionAsync(instanceId!);

        // Durable reports the failure as TaskFailedException (message: "Task 'Ingestion_Index' (#n) failed with an unhandled
        // exception: ..."); the reason must be the activity's own message, not Durable's wrapper or its inner exception.
        Assert.Equal(IngestionOutcomeKind.Failed, outcome.Kind);
        Assert.Equal(message, outcome.FailureReason);
        Assert.Equal(3, harness.ActivityStarts[IngestionActivityNames.Index]);
        Assert.Equal(1, harness.ActivityStarts[IngestionActivityNames.Fail]);
        var record = await harness.Get<IDocumentCatalog>().GetAsync(outcome.DocumentId, CancellationToken.None);
        Assert.Equal(DocumentStatus.Failed, record!.Status);
        Assert.Equal(message, record.FailureReason);
        Assert.False(Directory.Exists(Path.Combine(harness.DataDirectory, "staging", instanceId!)), "the failed run's staging was not removed");
    }

    [Fact]
    public async Task The_same_blob_event_delivered_twice_starts_one_instance()
    {
        await using var harness = await IngestionHarness.StartAsync();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        harness.BeforeActivity = (name, _) => name == IngestionActivityNames.Begin ? release.Task.WaitAsync(TimeSpan.FromSeconds(30)) : Task.CompletedTask;

        var first = await harness.DeliverAsync("guide.md", Handbook(sections: 2));
        var whileRunning = await harness.RedeliverAsync("guide.md");
        release.SetResult();
        var outcome = await harness.CompletionAsync(first!);
        var afterwards = await harness.RedeliverAsync("guide.md");

        Assert.NotNull(first);
        Assert.Null(whileRunning);
        Assert.Null(afterwards);
        Assert.Equal(IngestionOutcomeKind.Indexed, outcome.Kind);
        Assert.Equal(1, harness.ActivityStarts[IngestionActivityNames.Begin]);
        var instances = new List<OrchestrationMetadata>();
        await foreach (var instance in harness.Client.GetAllInstancesAsync())
        {
            instances.Add(instance);
        }

        Assert.Equal([first!], instances.Select(i => i.InstanceId));
    }

    [Fact]
    public async Task After_a_worker_restart_mid_orchestration_the_replay_completes_without_duplicate_chunks()
    {
        // Batch 1 fails once; while Durable waits out the retry interval, the worker process is replaced. The new worker
        // (new services, same disk) gets the next episode, replays the history and runs what is left. (The in-memory
        // backend does not redeliver work that a stopped worker had in hand, so the restart happens while only the retry
        // timer is pending.)
        var settings = new Dictionary<string, string?>(ManyBatches) { ["RagFunctions:Ingestion:ActivityFirstRetryInterval"] = "00:00:04" };
        await using var harness = await IngestionHarness.StartAsync(settings);
        var firstWorker = harness.Services;
        var failed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var attempts = 0;
        harness.BeforeActivity = (name, input) =>
        {
            if (name == IngestionActivityNames.EmbedBatch && ((EmbedBatchInput)input!).Batch == 1 && Interlocked.Increment(ref attempts) == 1)
            {
                failed.SetResult();
                throw new IOException("embedding endpoint connection reset");
            }

            return Task.CompletedTask;
        };

        var instanceId = await harness.DeliverAsync("handbook.md", Handbook(sections: 12));
        await failed.Task.WaitAsync(TimeSpan.FromSeconds(30));
        // Let the first worker finish the episodes that record the other batches and schedule the retry timer.
        await WaitUntilQuietAsync(() => harness.OrchestratorEpisodes + harness.ActivityStarts.Values.Sum());
        var episodesBeforeRestart = harness.OrchestratorEpisodes;
        await harness.RestartWorkerAsync();
        var outcome = await harness.CompletionAsync(instanceId!);

        Assert.Equal(IngestionOutcomeKind.Indexed, outcome.Kind);
        Assert.NotSame(firstWorker, harness.Services);
        Assert.True(harness.OrchestratorEpisodes > episodesBeforeRestart);
        // The new worker replayed the history and ran only what was left: the retried batch, the index write, completion.
        var written = harness.Get<RecordingSearchIndex>().Written[outcome.DocumentId];
        Assert.Equal(Enumerable.Range(0, outcome.ChunkCount), written.Select(c => c.Chunk.Ordinal));
        Assert.Equal(((outcome.ChunkCount + 3) / 4) + 1, harness.ActivityStarts[IngestionActivityNames.EmbedBatch]);
        Assert.Equal(1, harness.ActivityStarts[IngestionActivityNames.Begin]);
        Assert.Equal(1, harness.ActivityStarts[IngestionActivityNames.ExtractAndChunk]);
        Assert.Equal(1, harness.ActivityStarts[IngestionActivityNames.Index]);
        var stats = await harness.Get<RecordingSearchIndex>().GetStatsAsync(CancellationToken.None);
        Assert.Equal(outcome.ChunkCount, stats.ChunkCount);
    }

    private static async Task WaitUntilQuietAsync(Func<int> progress)
    {
        var last = -1;
        for (var i = 0; i < 100 && progress() != last; i++)
        {
            last = progress();
            await Task.Delay(TimeSpan.FromMilliseconds(700));
        }
    }

    /// <summary>A Markdown handbook with distinct sections (distinct text, so distinct vectors).</summary>
    internal static byte[] Handbook(int sections)
    {
        var text = new StringBuilder("# Staff handbook\n\n");
        for (var s = 0; s < sections; s++)
        {
            text.Append("## Section ").Append(s).Append("\n\n");
            for (var p = 0; p < 3; p++)
            {
                text.Append("Paragraph ").Append(p).Append(" of section ").Append(s)
                    .Append(" explains rule ").Append((s * 7) + p).Append(": requests for leave, travel and equipment are filed ")
                    .Append("with the team lead, who answers within ").Append(s + p + 2).Append(" working days and records the decision.\n\n");
            }
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }
}
