using RagFunctions.Core.Ingestion.Chunking;
namespace RagFunctions.Core.Ingestion.Workflow;

/// <summary>The ingestion orchestration: begin → extract+chunk → fan-out embed → fan-in → index → complete.
/// Pure sequencing over <see cref="IWorkflowContext"/>: no I/O, clock or randomness, so Durable Functions can replay it
/// and a test can prove that replays issue the identical call sequence.</summary>
public static class IngestionWorkflow
{
    public static async Task<IngestionOutcome> RunAsync(IWorkflowContext context, IngestionRequest request)
    {
        var begin = await context.CallActivityAsync<BeginResult>(IngestionActivityNames.Begin, request);
        if (begin.AlreadyIndexed)
        {
            return new IngestionOutcome(begin.DocumentId, IngestionOutcomeKind.Skipped, 0, null);
        }

        try
        {
            var chunked = await context.CallActivityAsync<ChunkedDocument>(
                IngestionActivityNames.ExtractAndChunk,
                new ExtractInput(begin.DocumentId, request.SourcePath, request.ContentHash));
            if (chunked.FailureReason is { } reason)
            {
                return await FailAsync(context, begin.DocumentId, reason);
            }

            // Fan-out: every batch is scheduled before any is awaited, so Durable runs them in parallel.
            var embedCalls = chunked.Batches
                .Select(b => context.CallActivityAsync<EmbedBatchResult>(
                    IngestionActivityNames.EmbedBatch,
                    new EmbedBatchInput(begin.DocumentId, b.Start, chunked.Chunks.Skip(b.Start).Take(b.Count).Select(ChunkContext.Contextualise).ToArray())))
                .ToArray();
            var embedded = await Task.WhenAll(embedCalls);

            var vectors = new float[chunked.Chunks.Count][];
            foreach (var batch in embedded)
            {
                for (var i = 0; i < batch.Vectors.Count; i++)
                {
                    vectors[batch.Start + i] = batch.Vectors[i];
                }
            }

            var indexed = await context.CallActivityAsync<IndexResult>(
                IngestionActivityNames.Index, new IndexInput(begin.DocumentId, chunked.Chunks, vectors));

            var stages = new Dictionary<string, double>
            {
                ["extract"] = chunked.ExtractMilliseconds,
                ["chunk"] = chunked.ChunkMilliseconds,
                // Batches run in parallel: the stage took as long as its slowest batch.
                ["embed"] = embedded.Length == 0 ? 0 : embedded.Max(e => e.Milliseconds),
                ["index"] = indexed.Milliseconds,
            };
            var tokens = chunked.Batches.Sum(b => b.Tokens);
            await context.CallActivityAsync<bool>(
                IngestionActivityNames.Complete,
                new CompleteInput(begin.DocumentId, request.ContentHash, indexed.ChunkCount, tokens, stages));
            return new IngestionOutcome(begin.DocumentId, IngestionOutcomeKind.Indexed, indexed.ChunkCount, null);
        }
#pragma warning disable CA1031 // Any activity failure ends this run as "failed" with its reason; the host keeps running.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return await FailAsync(context, begin.DocumentId, ReasonOf(ex));
        }
    }

    private static async Task<IngestionOutcome> FailAsync(IWorkflowContext context, string documentId, string reason)
    {
        await context.CallActivityAsync<bool>(IngestionActivityNames.Fail, new FailInput(documentId, reason));
        return new IngestionOutcome(documentId, IngestionOutcomeKind.Failed, 0, reason);
    }

    // Durable wraps activity exceptions (TaskFailedException); the innermost message is the useful one.
    private static string ReasonOf(Exception ex)
    {
        while (ex.InnerException is not null)
        {
            ex = ex.InnerException;
        }

        return ex.Message;
    }
}
