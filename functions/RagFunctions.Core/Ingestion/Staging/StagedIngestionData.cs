using System.Buffers.Binary;
using System.Text.Json;
using RagFunctions.Core.Ingestion.Chunking;

namespace RagFunctions.Core.Ingestion.Staging;

/// <summary>
/// What ingestion stages per run, over <see cref="IIngestionStaging"/>: the chunks of embedding batch <c>i</c>
/// (<c>chunks-i</c>, JSON) and their vectors (<c>vectors-i</c>, little-endian float32 with a count/dimension header).
/// One item per batch, so an embedding activity reads only its own batch and the index activity reads them in batch order.
/// </summary>
public sealed class StagedIngestionData(IIngestionStaging staging)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public Task PutChunksAsync(string runId, int batch, IReadOnlyList<DocumentChunk> chunks, CancellationToken cancellationToken) =>
        staging.PutAsync(runId, ChunksName(batch), JsonSerializer.SerializeToUtf8Bytes(chunks, Json), cancellationToken);

    public async Task<IReadOnlyList<DocumentChunk>> GetChunksAsync(string runId, int batch, CancellationToken cancellationToken)
    {
        var bytes = await staging.GetAsync(runId, ChunksName(batch), cancellationToken) ?? throw Missing(runId, ChunksName(batch));
        return JsonSerializer.Deserialize<DocumentChunk[]>(bytes, Json) ?? throw Missing(runId, ChunksName(batch));
    }

    public Task PutVectorsAsync(string runId, int batch, IReadOnlyList<float[]> vectors, CancellationToken cancellationToken) =>
        staging.PutAsync(runId, VectorsName(batch), EncodeVectors(vectors), cancellationToken);

    public async Task<IReadOnlyList<float[]>> GetVectorsAsync(string runId, int batch, CancellationToken cancellationToken) =>
        DecodeVectors(await staging.GetAsync(runId, VectorsName(batch), cancellationToken) ?? throw Missing(runId, VectorsName(batch)));

    public Task DeleteRunAsync(string runId, CancellationToken cancellationToken) => staging.DeleteRunAsync(runId, cancellationToken);

    /// <summary>[count:int32][dimensions:int32] then count × dimensions float32, all little-endian.</summary>
    public static byte[] EncodeVectors(IReadOnlyList<float[]> vectors)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        var dimensions = vectors.Count == 0 ? 0 : vectors[0].Length;
        var bytes = new byte[8 + (vectors.Count * dimensions * sizeof(float))];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, vectors.Count);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), dimensions);
        var offset = 8;
        foreach (var vector in vectors)
        {
            if (vector.Length != dimensions)
            {
                throw new ArgumentException($"vectors of one batch must have the same length ({dimensions}), got {vector.Length}", nameof(vectors));
            }

            foreach (var value in vector)
            {
                BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(offset), value);
                offset += sizeof(float);
            }
        }

        return bytes;
    }

    public static IReadOnlyList<float[]> DecodeVectors(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 8)
        {
            throw new InvalidDataException("staged vectors are truncated");
        }

        var count = BinaryPrimitives.ReadInt32LittleEndian(bytes);
        var dimensions = BinaryPrimitives.ReadInt32LittleEndian(bytes[4..]);
        if (count < 0 || dimensions < 0 || bytes.Length != 8 + ((long)count * dimensions * sizeof(float)))
        {
            throw new InvalidDataException($"staged vectors have {bytes.Length} bytes, not {count} x {dimensions} floats");
        }

        var vectors = new float[count][];
        var offset = 8;
        for (var i = 0; i < count; i++)
        {
            var vector = new float[dimensions];
            for (var d = 0; d < dimensions; d++)
            {
                vector[d] = BinaryPrimitives.ReadSingleLittleEndian(bytes[offset..]);
                offset += sizeof(float);
            }

            vectors[i] = vector;
        }

        return vectors;
    }

    private static string ChunksName(int batch) => $"chunks-{batch}";

    private static string VectorsName(int batch) => $"vectors-{batch}";

    // Staged data vanishes only when its run already ended (or storage lost it): the run cannot continue from here.
    private static InvalidOperationException Missing(string runId, string name) =>
        new($"staged ingestion data '{name}' of run {runId} is missing (the run was already cleaned up, or storage lost it)");
}
