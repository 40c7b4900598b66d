namespace RagFunctions.Core.Retrieval;

/// <summary>Progress of re-embedding an index after the embedder changed (local host): which model the index serves, how many
/// chunks still carry another model's vectors. Shown by <c>/api/health</c> and the console; written by one background worker.</summary>
public sealed class ReembeddingProgress
{
    private long _total;
    private long _done;
    private int _running;

    /// <summary>The embedder the index serves ("model id/dimensions").</summary>
    public string? Model { get; private set; }

    public long Total => Interlocked.Read(ref _total);

    public long Done => Interlocked.Read(ref _done);

    public bool Running => Volatile.Read(ref _running) == 1;

    public void Start(string model, long total)
    {
        Model = model;
        Interlocked.Exchange(ref _total, total);
        Interlocked.Exchange(ref _done, 0);
        Volatile.Write(ref _running, total > 0 ? 1 : 0);
    }

    public void Advance(long chunks) => Interlocked.Add(ref _done, chunks);

    public void Finish() => Volatile.Write(ref _running, 0);
}
