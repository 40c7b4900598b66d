using System.Text.Json;
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
    public async Task Embedding_batches_fan_out_before_any_is_awaited_and_the_index_step_gets_every_batch()
    {
        var gate = new TaskCompletionSource();
        var context = new ScriptedContext(Script(chunkCount: 10, batchSize: 4), embedGate: gate.Task);
        var run = IngestionWorkflow.RunAsync(context, Request);

        await WaitUntil(() => context.History.Count(h => h.Name == IngestionActivityNames.EmbedBatch) == 3);
        Assert.False(run.IsCompleted);
        gate.SetResult();
        await run;

        var runId = IngestionInstanceIds.For(Request.SourcePath, Request.ContentHash);
        Assert.Equal([0, 1, 2], context.History.Where(h => h.Name == IngestionActivityNames.EmbedBatch).Select(h => ((EmbedBatchInput)h.Input!).Batch));
        Assert.All(context.History.Where(h => h.Name == IngestionActivityNames.EmbedBatch), h => Assert.Equal(runId, ((EmbedBatchInput)h.Input!).RunId));
        Assert.Equal(new IndexInput("doc-1", runId, 3), context.History.Single(h => h.Name == IngestionActivityNames.Index).Input);
        Assert.Equal(runId, ((CompleteInput)context.History[^1].Input!).RunId);
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
    public async Task A_failing_activity_fails_the_document_with_the_activitys_own_message()
    {
        // As on Durable: the host reports the activity's message; its inner exception is the host's own wrapper, whose
        // message (here the default "Exception of type ... was thrown.") must not become the reason.
        var script = Script(chunkCount: 4, batchSize: 2);
        var context = new ScriptedContext((name, input) => name == IngestionActivityNames.EmbedBatch
            ? throw new ActivityFailedException(name, "embedding endpoint returned 500", new InvalidOperationException())
            : script(name, input));

        var outcome = await IngestionWorkflow.RunAsync(context, Request);

        Assert.Equal(IngestionOutcomeKind.Failed, outcome.Kind);
        Assert.Equal("embedding endpoint returned 500", outcome.FailureReason);
        Assert.DoesNotContain(context.History, h => h.Name == IngestionActivityNames.Index);
        Assert.Equal(IngestionActivityNames.Fail, context.History[^1].Name);
        var fail = (FailInput)context.History[^1].Input!;
        Assert.Equal("embedding endpoint returned 500", fail.Reason);
        Assert.Equal(IngestionInstanceIds.For(Request.SourcePath, Request.ContentHash), fail.RunId);
    }

    [Fact]
    public async Task A_huge_failure_message_is_cut_to_a_bounded_reason()
    {
        var script = Script(chunkCount: 2, batchSize: 2);
        var context = new ScriptedContext((name, input) => name == IngestionActivityNames.Index
            ? throw new InvalidOperationException(new string('x', 100_000))
            : script(name, input));

        var outcome = await IngestionWorkflow.RunAsync(context, Request);

        Assert.Equal(IngestionWorkflow.MaxReasonLength + 1, outcome.FailureReason!.Length);
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
        var batchCount = (chunkCount + batchSize - 1) / batchSize;
        return (name, input) => name switch
        {
            IngestionActivityNames.Begin => new BeginResult("doc-1", alreadyIndexed),
            IngestionActivityNames.ExtractAndChunk => failure is null
                ? new ChunkedDocument("doc-1", chunkCount, batchCount, 3 * chunkCount, null, 1.5, 0.5)
                : new ChunkedDocument("doc-1", 0, 0, 0, failure, 0, 0),
            IngestionActivityNames.EmbedBatch => new EmbedBatchResult(((EmbedBatchInput)input!).Batch, batchSize, 4),
            IngestionActivityNames.Index => new IndexResult(chunkCount, 2),
            IngestionActivityNames.Complete or IngestionActivityNames.Fail => true,
            _ => throw new InvalidOperationException(name),
        };
    }

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
