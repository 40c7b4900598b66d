using RagFunctions.Core.Ingestion;

namespace RagFunctions.Local.Ingestion;

/// <summary>A promoted duplicate goes on the ingestion queue like a dropped file.</summary>
/// <remarks>The queue is resolved on use: it depends on the intake, which depends on this port through the duplicate rule.</remarks>
public sealed class LocalDocumentRequeue(IServiceProvider services) : IDocumentRequeue
{
    public Task RequeueAsync(string sourcePath, CancellationToken cancellationToken)
    {
        services.GetRequiredService<LocalIngestionQueue>().Enqueue(sourcePath);
        return Task.CompletedTask;
    }
}
