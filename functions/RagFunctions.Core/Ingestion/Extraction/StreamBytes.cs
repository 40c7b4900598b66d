namespace RagFunctions.Core.Ingestion.Extraction;

/// <summary>Reads a whole stream. The returned array may be the stream's own buffer (no copy): callers only read it.</summary>
internal static class StreamBytes
{
    public static async Task<byte[]> ReadAllAsync(Stream content, CancellationToken cancellationToken)
    {
        if (content is MemoryStream memory && memory.TryGetBuffer(out var segment) && memory.Position == 0)
        {
            // Extraction reads a file's bytes two or three times over (sniffing, decoding, parsing); a copy each time was
            // measurable allocation and GC on a 25 MB corpus.
            return segment.Offset == 0 && segment.Count == segment.Array!.Length ? segment.Array : segment.ToArray();
        }

        if (content.CanSeek && content.Length - content.Position is var remaining and >= 0 and <= int.MaxValue)
        {
            var bytes = new byte[remaining];
            var total = 0;
            int read;
            while (total < bytes.Length && (read = await content.ReadAsync(bytes.AsMemory(total), cancellationToken).ConfigureAwait(false)) > 0)
            {
                total += read;
            }

            if (total < bytes.Length)
            {
                // The stream ended early (the file shrank while being read).
                return bytes[..total];
            }

            var next = content.ReadByte();
            if (next < 0)
            {
                return bytes;
            }

            // The stream grew while being read: keep what it yields.
            using var rest = new MemoryStream();
            rest.Write(bytes, 0, total);
            rest.WriteByte((byte)next);
            await content.CopyToAsync(rest, cancellationToken).ConfigureAwait(false);
            return rest.ToArray();
        }

        using var copy = new MemoryStream();
        await content.CopyToAsync(copy, cancellationToken).ConfigureAwait(false);
        return copy.ToArray();
    }

    public static async Task<string> ReadTextAsync(Stream content, CancellationToken cancellationToken) =>
        TextDecoding.Decode(await ReadAllAsync(content, cancellationToken).ConfigureAwait(false));
}
