using System.Diagnostics.Metrics;

namespace RagFunctions.Core.Ingestion;

/// <summary>Ingestion instruments on meter <c>RagFunctions.Ingestion</c>; the Functions app exports them to Azure Monitor, the local host logs them.</summary>
public sealed class IngestionMetrics
{
    public const string MeterName = "RagFunctions.Ingestion";

    private readonly Histogram<double> _stageDuration;
    private readonly Counter<long> _documents;
    private readonly Counter<long> _chunks;
    private readonly Counter<long> _tokens;

    public IngestionMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _stageDuration = meter.CreateHistogram<double>("ragfunctions.ingestion.stage.duration", "ms", "Duration of one ingestion stage");
        _documents = meter.CreateCounter<long>("ragfunctions.ingestion.documents", "{document}", "Documents finished, by outcome");
        _chunks = meter.CreateCounter<long>("ragfunctions.ingestion.chunks", "{chunk}", "Chunks written to the index");
        _tokens = meter.CreateCounter<long>("ragfunctions.ingestion.tokens", "{token}", "Estimated tokens embedded");
    }

    public void StageCompleted(string stage, double milliseconds) =>
        _stageDuration.Record(milliseconds, new KeyValuePair<string, object?>("stage", stage));

    public void DocumentFinished(string outcome) =>
        _documents.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void Indexed(int chunks, int tokens)
    {
        _chunks.Add(chunks);
        _tokens.Add(tokens);
    }
}
