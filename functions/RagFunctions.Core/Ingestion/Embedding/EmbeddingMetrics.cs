using System.Diagnostics.Metrics;

namespace RagFunctions.Core.Ingestion.Embedding;

/// <summary>Embedding instruments on the <c>RagFunctions.Ingestion</c> meter.</summary>
public sealed class EmbeddingMetrics
{
    public const string MeterName = "RagFunctions.Ingestion";
    public const string RetriesInstrument = "ragfunctions.embedding.retries";
    public const string BatchSizeInstrument = "ragfunctions.embedding.batch_size";

    /// <param name="meterFactory">The host's factory (so meters are shared and disposed with the container); without one, a private meter.</param>
    public EmbeddingMetrics(IMeterFactory? meterFactory = null)
    {
        Meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        Retries = Meter.CreateCounter<long>(RetriesInstrument, "{retry}", "Embedding calls retried after a transient failure.");
        BatchSize = Meter.CreateHistogram<int>(BatchSizeInstrument, "{input}", "Inputs per embedding call.");
    }

    public Meter Meter { get; }

    public Counter<long> Retries { get; }

    public Histogram<int> BatchSize { get; }
}
