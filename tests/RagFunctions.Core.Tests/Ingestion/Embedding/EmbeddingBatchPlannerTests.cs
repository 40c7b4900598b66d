using Microsoft.Extensions.Options;
using RagFunctions.Core.Ingestion.Chunking;
using RagFunctions.Core.Ingestion.Embedding;

namespace RagFunctions.Core.Tests.Ingestion.Embedding;

public sealed class EmbeddingBatchPlannerTests
{
    private static void AssertValidPlan(IReadOnlyList<int> counts, IReadOnlyList<EmbeddingBatch> batches, int maxInputs, int maxTokens)
    {
        var next = 0;
        foreach (var batch in batches)
        {
            Assert.Equal(next, batch.Start);
            Assert.InRange(batch.Count, 1, maxInputs);
            var tokens = counts.Skip(batch.Start).Take(batch.Count).Sum();
            Assert.Equal(tokens, batch.Tokens);
            Assert.True(tokens <= maxTokens || batch.Count == 1, $"batch at {batch.Start} has {tokens} tokens");
            next += batch.Count;
        }

        Assert.Equal(counts.Count, next);
    }

    [Fact]
    public void Splits_by_input_count()
    {
        var counts = Enumerable.Repeat(10, 40).ToList();
        var batches = EmbeddingBatchPlanner.Plan(counts, 16, 8000);

        Assert.Equal([16, 16, 8], batches.Select(b => b.Count));
    }

    [Fact]
    public void Splits_by_tokens()
    {
        var counts = Enumerable.Repeat(3000, 5).ToList();
        var batches = EmbeddingBatchPlanner.Plan(counts, 16, 8000);

        Assert.Equal([2, 2, 1], batches.Select(b => b.Count));
    }

    [Fact]
    public void An_oversized_text_is_a_batch_of_its_own()
    {
        var counts = new[] { 100, 9000, 100 };
        var batches = EmbeddingBatchPlanner.Plan(counts, 16, 8000);

        Assert.Equal([(0, 1), (1, 1), (2, 1)], batches.Select(b => (b.Start, b.Count)));
    }

    [Fact]
    public void No_inputs_no_batches()
    {
        Assert.Empty(EmbeddingBatchPlanner.Plan([], 16, 8000));
    }

    [Fact]
    public void Random_plans_respect_bounds_and_order()
    {
        var random = new Random(42);
        for (var run = 0; run < 300; run++)
        {
            var maxInputs = random.Next(1, 20);
            var maxTokens = random.Next(1, 5000);
            var counts = Enumerable.Range(0, random.Next(0, 200)).Select(_ => random.Next(0, 1500)).ToList();

            AssertValidPlan(counts, EmbeddingBatchPlanner.Plan(counts, maxInputs, maxTokens), maxInputs, maxTokens);
        }
    }

    [Fact]
    public void Plans_texts_with_the_token_counter_and_options()
    {
        var planner = new EmbeddingBatchPlanner(TokenEstimator.Instance, Options.Create(new EmbeddingOptions { MaxBatchInputs = 3, MaxBatchTokens = 1000 }));
        var texts = Enumerable.Range(0, 7).Select(i => $"text number {i}").ToList();

        var batches = planner.Plan(texts);

        Assert.Equal([3, 3, 1], batches.Select(b => b.Count));
        Assert.Equal(texts[3..6], texts[batches[1].Range]);
    }
}
