using RagFunctions.Core.Ingestion.Chunking;
using RagFunctions.Core.Ingestion.Staging;

namespace RagFunctions.Core.Tests.Ingestion.Staging;

public sealed class StagedIngestionDataTests
{
    [Fact]
    public async Task Chunks_and_vectors_round_trip_per_batch_and_a_deleted_run_is_gone()
    {
        var store = new MemoryStaging();
        var staged = new StagedIngestionData(store);
        var chunk = new DocumentChunk("doc-1#0", "doc-1", 0, "Leave requests go to the team lead.", "Handbook", "hr/handbook.md", 3, "Leave", 0, 35, 9)
        {
            OwnerIds = ["user-1"],
            GroupIds = ["group-7"],
        };
        float[][] vectors = [[0.25f, -1.5f, float.Epsilon], [3f, 0f, -0f]];

        await staged.PutChunksAsync("run-1", 0, [chunk], CancellationToken.None);
        await staged.PutVectorsAsync("run-1", 0, vectors, CancellationToken.None);
        var chunks = await staged.GetChunksAsync("run-1", 0, CancellationToken.None);
        var read = await staged.GetVectorsAsync("run-1", 0, CancellationToken.None);

        // Records compare list properties by reference: the lists are compared by content, the rest as a record.
        var back = Assert.Single(chunks);
        Assert.Equal(chunk.OwnerIds, back.OwnerIds);
        Assert.Equal(chunk.GroupIds, back.GroupIds);
        IReadOnlyList<string> none = [];
        Assert.Equal(chunk with { OwnerIds = none, GroupIds = none }, back with { OwnerIds = none, GroupIds = none });
        Assert.Equal(vectors, read);

        await staged.DeleteRunAsync("run-1", CancellationToken.None);
        var missing = await Assert.ThrowsAsync<InvalidOperationException>(() => staged.GetVectorsAsync("run-1", 0, CancellationToken.None));
        Assert.Contains("vectors-0", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Corrupt_vector_items_are_refused()
    {
        var bytes = StagedIngestionData.EncodeVectors([[1f, 2f], [3f, 4f]]);

        Assert.Throws<InvalidDataException>(() => StagedIngestionData.DecodeVectors(bytes.AsSpan(0, bytes.Length - 1)));
        Assert.Throws<InvalidDataException>(() => StagedIngestionData.DecodeVectors(bytes.AsSpan(0, 4)));
        Assert.Throws<ArgumentException>(() => StagedIngestionData.EncodeVectors([[1f, 2f], [3f]]));
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("a/b")]
    [InlineData("")]
    [InlineData("run\\1")]
    public void Names_that_could_leave_the_run_are_refused(string name) =>
        Assert.ThrowsAny<ArgumentException>(() => StagingNames.Validate(name, "name"));

    private sealed class MemoryStaging : IIngestionStaging
    {
        private readonly Dictionary<string, byte[]> _items = [];

        public Task PutAsync(string runId, string name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
        {
            _items[$"{runId}/{name}"] = content.ToArray();
            return Task.CompletedTask;
        }

        public Task<byte[]?> GetAsync(string runId, string name, CancellationToken cancellationToken) =>
            Task.FromResult(_items.GetValueOrDefault($"{runId}/{name}"));

        public Task DeleteRunAsync(string runId, CancellationToken cancellationToken)
        {
            foreach (var key in _items.Keys.Where(k => k.StartsWith(runId + "/", StringComparison.Ordinal)).ToList())
            {
                _items.Remove(key);
            }

            return Task.CompletedTask;
        }
    }
}
