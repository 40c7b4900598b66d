namespace RagFunctions.Core.Ingestion.Extraction;

internal static class StreamBytes
{
    public static async Task<byte[]> ReadAllAsync(Stream content, CancellationToken cancellationToken)
    {
        if (content is MemoryStream memory && memory.TryGetBuffer(out var segment) && memory.Position == 0)
        {
            return segment.ToArray();
        }

        using var copy = new MemoryStream();
        await content.CopyToAsync(copy, cancellationToken).ConfigureAwait(false);
        return copy.ToArray();
    }

    public static async Task<string> ReadTextAsync(Stream content, CancellationToken cancellationToken) =>
        TextDecoding.Decode(await ReadAllAsync(content, cancellationToken).ConfigureAwait(false));
}
