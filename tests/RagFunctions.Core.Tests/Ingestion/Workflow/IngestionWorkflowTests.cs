using System.Text.Json;
using RagFunctions.Core.Ingestion.Chunking;
using RagFunctions.Core.Ingestion.Workflow;

namespace RagFunctions.Core.Tests.Ingestion.Workflow;

public sealed class IngestionWorkflowTests
{
    private static readonly IngestionRequest Request = new("docs/guide.md", "abc123", 1234, new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task Replaying_the_recorded_history_issues_the_identical_call_sequence()
    {
        var first = new ScriptedContext(Script(chunkCount: 7, batchSize: 3));
        var outcome = await IngestionWorkflow.RunAsync(first, Request);

        // Durable replays the orchestrator from its history: every call must match the recorded one, in order.
        var replay = new ReplayContext(first.History);
        var replayed = await IngestionWorkflow.RunAsync(replay, Request);

        Assert.Equal(first.History.Count, replay.Position);
        Assert.Equal(outcome, replayed);
        Assert.Equal(IngestionOutcomeKind.Indexed, outcome.Kind);
        Assert.Equal(7, outcome.ChunkCount);
    }

    [Fact]
    public async Task Embedding_batches_fan_out_before_any_is_awaited_and_vectors_fan_in_in_chunk_order()
    {
        var gate = new TaskCompletionSource();
        var context = new ScriptedContext(Script(chunkCount: 10, batchSize: 4), embedGate: gate.Task);
        var run = IngestionWorkflow.RunAsync(context, Request);

        await WaitUntil(() => context.History.Count(h => h.Name == IngestionActivityNames.EmbedBatch) == 3);
        Assert.False(run.IsCompleted);
        gate.SetResult();
        await run;

        var index = context.History.Single(h => h.Name == IngestionActivityNames.Index);
        var input = (IndexInput)index.Input!;
        Assert.Equal(10, input.Vectors.Count);
        // Each chunk is embedded with its document title as context; the indexed chunk text stays clean.
        Assert.All(context.History.Where(h => h.Name == IngestionActivityNames.EmbedBatch).SelectMany(h => ((EmbedBatchInput)h.Input!).Texts),
            t => Assert.StartsWith("Guide\n\nchunk ", t, StringComparison.Ordinal));
        Assert.All(input.Chunks, c => Assert.StartsWith("chunk ", c.Content, StringComparison.Ordinal));
        for (var i = 0; i < 10; i++)
        {
            // The scripted embedder encodes the chunk ordinal in the vector: order must survive the fan-in.
            Assert.Equal(i, input.Vectors[i][0]);
        }
    }

    [Fact]
    public async Task Unchanged_content_skips_every_other_activity()
    {
        var context = new ScriptedContext(Script(chunkCount: 3, batchSize: 2, alreadyIndexed: true));
        var outcome = await IngestionWorkflow.RunAsync(context, Request);

        Assert.Equal(IngestionOutcomeKind.Skipped, outcome.Kind);
        Assert.Equal([IngestionActivityNames.Begin], context.History.Select(h => h.Name));
    }

    [Fact]
    public async Task Extraction_failure_records_the_reason_and_embeds_nothing()
    {
        var context = new ScriptedContext(Script(chunkCount: 0, batchSize: 1, failure: "no extractable text"));
        var outcome = await IngestionWorkflow.RunAsync(context, Request);

        Assert.Equal(IngestionOutcomeKind.Failed, outcome.Kind);
        Assert.Equal("no extractable text", outcome.FailureReason);
        Assert.Equal([IngestionActivityNames.Begin, IngestionActivityNames.ExtractAndChunk, IngestionActivityNames.Fail], context.History.Select(h => h.Name));
        Assert.Equal("no extractable text", ((FailInput)context.History[^1].Input!).Reason);
    }

    [Fact]
    public async Task A_failing_activity_fails_the_document_with_the_innermost_message()
    {
        var script = Script(chunkCount: 4, batchSize: 2);
        var context = new ScriptedContext((name, input) => name == IngestionActivityNames.EmbedBatch
            ? throw new ActivityFailedException(name, "wrapper", new InvalidOperationException("embedding endpoint returned 500"))
            : script(name, input));

        var outcome = await IngestionWorkflow.RunAsync(context, Request);

        Assert.Equal(IngestionOutcomeKind.Failed, outcome.Kind);
        Assert.Equal("embedding endpoint returned 500", outcome.FailureReason);
        Assert.DoesNotContain(context.History, h => h.Name == IngestionActivityNames.Index);
        Assert.Equal(IngestionActivityNames.Fail, context.History[^1].Name);
    }

    [Fact]
    public void Instance_ids_are_deterministic_per_path_and_content()
    {
        Assert.Equal(IngestionInstanceIds.For("a/b.pdf", "h1"), IngestionInstanceIds.For("./a/b.pdf", "h1"));
        Assert.NotEqual(IngestionInstanceIds.For("a/b.pdf", "h1"), IngestionInstanceIds.For("a/b.pdf", "h2"));
        Assert.NotEqual(IngestionInstanceIds.For("a/b.pdf", "h1"), IngestionInstanceIds.For("a/c.pdf", "h1"));
    }

    private static Func<string, object?, object> Script(int chunkCount, int batchSize, bool alreadyIndexed = false, string? failure = null)
    {
        var chunks = Enumerable.Range(0, chunkCount)
            .Select(i => new DocumentChunk(DocumentChunk.MakeId("doc-1", i), "doc-1", i, $"chunk {i}", "Guide", "docs/guide.md", null, null, i * 10, (i * 10) + 8, 3))
            .ToArray();
        var batches = Enumerable.Range(0, (chunkCount + batchSize - 1) / batchSize)
            .Select(b => new RagFunctions.Core.Ingestion.Embedding.EmbeddingBatch(b * batchSize, Math.Min(batchSize, chunkCount - (b * batchSize)), 3 * Math.Min(batchSize, chunkCount - (b * batchSize))))
            .ToArray();
        return (name, input) => name switch
        {
            IngestionActivityNames.Begin => new BeginResult("doc-1", alreadyIndexed),
            IngestionActivityNames.ExtractAndChunk => new ChunkedDocument("doc-1", failure is null ? chunks : [], failure is null ? batches : [], failure, 1.5, 0.5),
            IngestionActivityNames.EmbedBatch => Embed((EmbedBatchInput)input!),
            IngestionActivityNames.Index => new IndexResult(((IndexInput)input!).Chunks.Count, 2),
            IngestionActivityNames.Complete or IngestionActivityNames.Fail => true,
            _ => throw new InvalidOperationException(name),
        };
    }

    private static EmbedBatchResult Embed(EmbedBatchInput input) =>
        new(input.Start, input.Texts.Select(t => new float[] { int.Parse(t[(t.LastIndexOf("chunk ", StringComparison.Ordinal) + "chunk ".Length)..], System.Globalization.CultureInfo.InvariantCulture), 1 }).ToArray(), 4);

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition());
    }

    internal sealed record Call(string Name, object? Input, string InputJson, object Result);

    /// <summary>Answers from a script and records the history, as Durable's first execution would.</summary>
    private sealed class ScriptedContext(Func<string, object?, object> script, Task? embedGate = null) : IWorkflowContext
    {
        public List<Call> History { get; } = [];

        public async Task<TResult> CallActivityAsync<TResult>(string activityName, object? input)
        {
            Call call;
            lock (History)
            {
                call = new Call(activityName, input, JsonSerializer.Serialize(input), script(activityName, input));
                History.Add(call);
            }

            if (activityName == IngestionActivityNames.EmbedBatch && embedGate is not null)
            {
                await embedGate;
            }

            return (TResult)call.Result;
        }
    }

    /// <summary>Feeds recorded results back and fails on any divergence (different activity, different input, extra call).</summary>
    private sealed class ReplayContext(IReadOnlyList<Call> history) : IWorkflowContext
    {
        public int Position { get; private set; }

        public Task<TResult> CallActivityAsync<TResult>(string activityName, object? input)
        {
            Assert.True(Position < history.Count, $"replay issued an extra call to {activityName}");
            var recorded = history[Position++];
            Assert.Equal(recorded.Name, activityName);
            Assert.Equal(recorded.InputJson, JsonSerializer.Serialize(input));
            return Task.FromResult((TResult)recorded.Result);
        }
    }
}
