namespace RagFunctions.Local.Ingestion;

/// <summary>Gives memory back once an ingestion batch is over. Ingestion allocates far more than it keeps (extracted text, chunk and
/// vector buffers), and a workstation GC left alone keeps that garbage committed until the next full collection, which an idle host
/// may not need for hours: measured on 55 MB of /usr/share/doc, RSS stayed at 2.5–3.2× the live heap (docs/benchmarks.md, "Memory").
/// One aggressive, compacting, blocking collection when the queue drains (a few hundred milliseconds after minutes of work) returns
/// it to the operating system. A query arriving during that one collection waits for it (once per batch); queries otherwise run as before.</summary>
public static class MemoryRelease
{
    public static void AfterIngestionBatch() =>
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
}
