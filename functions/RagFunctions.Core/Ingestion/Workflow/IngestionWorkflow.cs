using RagFunctions.Core.Ingestion.Catalog;
namespace RagFunctions.Core.Ingestion.Workflow;

/// <summary>The ingestion orchestration: begin → extract+chunk → fan-out embed → fan-in → index → complete.
/// Pure sequencing over <see cref="IWorkflowContext"/>: no I/O, clock or randomness, so Durable Functions can replay it
/// and a test can prove that replays issue the identical call sequence.</summary>
/// <remarks>Activities exchange references and counts only: chunk text and vectors are staged under the run id
/// (<see cref="Staging.IIngestionStaging"/>), so every input and output stays small whatever the document's size.</remarks>
public static class IngestionWorkflow
{
    /// <summary>Longest failure reason kept: a reason travels through the orchestration history and the catalog.</summary>
    public const int MaxReasonLength = 1000;

    public static async Task<IngestionOutcome> RunAsync(IWorkflowContext context, IngestionRequest request)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(request);
        var begin = await context.CallActivityAsync<BeginResult>(IngestionActivityNames.Begin, request);
        if (begin.AlreadyIndexed)
        {
            return new IngestionOutcome(begin.DocumentId, IngestionOutcomeKind.Skipped, 0, null);
        }

        // Deterministic (a pure function of the request), so a replay computes the same reference.
        var runId = IngestionInstanceIds.For(request.SourcePath, request.ContentHash);
        try
        {
            var chunked = await context.CallActivityAsync<ChunkedDocument>(
                IngestionActivityNames.ExtractAndChunk,
                new ExtractInput(begin.DocumentId, request.SourcePath, request.ContentHash, runId));
            if (chunked.FailureReason is { } reason)
            {
                return await FailAsync(context, begin.DocumentId, reason, runId);
            }

            // Fan-out: every batch is scheduled before any is awaited, so Durable runs them in parallel.
            var embedCalls = Enumerable.Range(0, chunked.BatchCount)
                .Select(batch => context.CallActivityAsync<EmbedBatchResult>(
                    IngestionActivityNames.EmbedBatch, new EmbedBatchInput(begin.DocumentId, runId, batch)))
                .ToArray();
            var embedded = await Task.WhenAll(embedCalls);

            // Fan-in: the index activity reads the staged batches in batch order, so vectors stay with their chunks.
            var indexed = await context.CallActivityAsync<IndexResult>(
                IngestionActivityNames.Index, new IndexInput(begin.DocumentId, runId, chunked.BatchCount));

            var stages = new Dictionary<string, double>
            {
                ["extract"] = chunked.ExtractMilliseconds,
                ["chunk"] = chunked.ChunkMilliseconds,
                // Batches run in parallel: the stage took as long as its slowest batch.
                ["embed"] = embedded.Length == 0 ? 0 : embedded.Max(e => e.Milliseconds),
                ["index"] = indexed.Milliseconds,
            };
            var reused = embedded.Sum(e => e.ReusedCount);
            var counts = new EmbeddingCounts(embedded.Sum(e => e.VectorCount) - reused, reused);
            await context.CallActivityAsync<bool>(
                IngestionActivityNames.Complete,
                new CompleteInput(begin.DocumentId, request.ContentHash, indexed.ChunkCount, chunked.TokenCount, stages, runId, counts));
            return new IngestionOutcome(begin.DocumentId, IngestionOutcomeKind.Indexed, indexed.ChunkCount, null);
        }
#pragma warning disable CA1031 // Any activity failure ends this run as "failed" with its reason; the host keeps running.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return await FailAsync(context, begin.DocumentId, ReasonOf(ex), runId);
        }
    }

    private static async Task<IngestionOutcome> FailAsync(IWorkflowContext context, string documentId, string reason, string runId)
    {
        await context.CallActivityAsync<bool>(IngestionActivityNames.Fail, new FailInput(documentId, reason, runId));
        return new IngestionOutcome(documentId, IngestionOutcomeKind.Failed, 0, reason);
    }

    /// <summary>The activity's own message. A host reports a failed activity as <see cref="ActivityFailedException"/> carrying
    /// that message (on Durable: <c>TaskFailedException.FailureDetails.ErrorMessage</c>); its inner exception is the host's
    /// own wrapper, whose message says nothing about the document, so the chain is not followed. The local runner lets the
    /// activity's exception through unchanged.</summary>
    private static string ReasonOf(Exception ex)
    {
        var message = ex.Message;
        return message.Length <= MaxReasonLength ? message : message[..MaxReasonLength] + "…";
    }
}
