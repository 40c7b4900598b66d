using System.Numerics.Tensors;
using Microsoft.Extensions.AI;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using RagFunctions.Core.Ingestion.Embedding;

namespace RagFunctions.Local.Embedding;

/// <summary>
/// A sentence-transformers model run in process with ONNX Runtime: WordPiece tokens → BERT → pooling → unit length. The
/// model and vocabulary are resources of a NuGet-served assembly (<see cref="LocalEmbedderDefinition"/>), so nothing is
/// downloaded at run time. Queries (<see cref="EmbeddingInput.ForQuery"/>) get the model's query prefix, passages its passage
/// prefix. Nothing is silently cut: an input longer than the model's window is embedded window by window and the windows'
/// vectors are averaged (weighted by their token counts) — chunks are sized to fit one window (<see cref="EmbeddingWindow"/>),
/// so this only happens to inputs that arrive from elsewhere.
/// </summary>
public sealed class OnnxSentenceEmbedder : IEmbeddingGenerator<string, Embedding<float>>
{
    /// <summary>Sequences per ONNX call; inputs are sorted by length first so padding stays small.</summary>
    private const int SequencesPerRun = 16;

    private readonly LocalEmbedderDefinition _definition;
    private readonly Lazy<InferenceSession> _session;
    private readonly int _contentTokens;
    private readonly Core.Retrieval.ScoreFusion _fusion;

    public OnnxSentenceEmbedder(LocalEmbedderDefinition definition, int intraOpThreads = 1)
    {
        ArgumentNullException.ThrowIfNull(definition);
        _definition = definition;
        using (var vocabulary = definition.OpenResource(definition.VocabularyResource))
        {
            Tokens = new WordPieceTokens(vocabulary);
        }

        _contentTokens = definition.MaxTokens - 2;
        _fusion = new Core.Retrieval.ScoreFusion(definition.VectorWeight);
        Window = new EmbeddingWindow(Tokens, _contentTokens - Tokens.CountTokens(definition.PassagePrefix));
        Metadata = new EmbeddingGeneratorMetadata("local-onnx", null, definition.ModelId, definition.Dimensions);

        // The model loads on first use, so a host that never embeds (or tests that only read) pays nothing for it.
        _session = new Lazy<InferenceSession>(() =>
        {
            using var options = new Microsoft.ML.OnnxRuntime.SessionOptions
            {
                IntraOpNumThreads = Math.Max(1, intraOpThreads),
                InterOpNumThreads = 1,
                GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            };
            using var model = definition.OpenResource(definition.ModelResource);
            using var bytes = new MemoryStream(checked((int)model.Length));
            model.CopyTo(bytes);
            return new InferenceSession(bytes.GetBuffer().AsSpan(0, (int)bytes.Length).ToArray(), options);
        }, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public LocalEmbedderDefinition Definition => _definition;

    public WordPieceTokens Tokens { get; }

    /// <summary>Word pieces of passage text that one window holds (special tokens and passage prefix excluded).</summary>
    public EmbeddingWindow Window { get; }

    public EmbeddingGeneratorMetadata Metadata { get; }

    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var prefix = EmbeddingInput.IsQuery(options) ? _definition.QueryPrefix : _definition.PassagePrefix;
        var inputs = values.ToList();

        // Every input becomes one or more windows of at most MaxTokens word pieces ([CLS] ... [SEP]).
        var sequences = new List<(int Input, int[] Ids)>();
        var prefixIds = prefix.Length == 0 ? [] : Tokens.Encode(prefix);
        for (var i = 0; i < inputs.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var ids = Tokens.Encode(inputs[i] ?? string.Empty);
            var room = Math.Max(1, _contentTokens - prefixIds.Count);
            var start = 0;
            do
            {
                var count = Math.Min(room, ids.Count - start);
                var sequence = new int[count + prefixIds.Count + 2];
                sequence[0] = Tokens.ClassificationTokenId;
                for (var p = 0; p < prefixIds.Count; p++)
                {
                    sequence[1 + p] = prefixIds[p];
                }

                for (var p = 0; p < count; p++)
                {
                    sequence[1 + prefixIds.Count + p] = ids[start + p];
                }

                sequence[^1] = Tokens.SeparatorTokenId;
                sequences.Add((i, sequence));
                start += count;
            }
            while (start < ids.Count);
        }

        var dimensions = _definition.Dimensions;
        var sums = new float[inputs.Count][];
        var order = Enumerable.Range(0, sequences.Count).OrderBy(s => sequences[s].Ids.Length).ToArray();
        for (var run = 0; run < order.Length; run += SequencesPerRun)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = order.AsSpan(run, Math.Min(SequencesPerRun, order.Length - run)).ToArray();
            var pooled = Run(batch.Select(s => sequences[s].Ids).ToArray());
            for (var b = 0; b < batch.Length; b++)
            {
                var (input, ids) = sequences[batch[b]];
                var sum = sums[input] ??= new float[dimensions];
                // Weight each window by its length so a short tail window does not count as much as a full one.
                TensorPrimitives.MultiplyAdd(pooled[b], ids.Length, sum, sum);
            }
        }

        var result = new GeneratedEmbeddings<Embedding<float>>();
        foreach (var sum in sums)
        {
            var vector = sum ?? new float[dimensions];
            var norm = TensorPrimitives.Norm((ReadOnlySpan<float>)vector);
            if (norm > 0)
            {
                TensorPrimitives.Divide(vector, norm, vector);
            }

            result.Add(new Embedding<float>(vector) { ModelId = _definition.ModelId });
        }

        return Task.FromResult(result);
    }

    /// <summary>One ONNX call over sequences padded to the longest; returns each sequence's unit-length pooled vector.</summary>
    private float[][] Run(int[][] sequences)
    {
        var batch = sequences.Length;
        var length = sequences.Max(s => s.Length);
        var ids = new DenseTensor<long>([batch, length]);
        var mask = new DenseTensor<long>([batch, length]);
        var types = new DenseTensor<long>([batch, length]);
        for (var b = 0; b < batch; b++)
        {
            for (var t = 0; t < sequences[b].Length; t++)
            {
                ids[b, t] = sequences[b][t];
                mask[b, t] = 1;
            }
        }

        using var outputs = _session.Value.Run(
        [
            NamedOnnxValue.CreateFromTensor("input_ids", ids),
            NamedOnnxValue.CreateFromTensor("attention_mask", mask),
            NamedOnnxValue.CreateFromTensor("token_type_ids", types),
        ]);
        var hidden = outputs.First(o => o.Name == "last_hidden_state").AsTensor<float>() as DenseTensor<float>
            ?? throw new InvalidOperationException("The model's last_hidden_state is not a dense float tensor.");
        var dimensions = _definition.Dimensions;
        var states = hidden.Buffer.Span;
        var pooled = new float[batch][];
        for (var b = 0; b < batch; b++)
        {
            var vector = new float[dimensions];
            var rows = _definition.Pooling == Pooling.Cls ? 1 : sequences[b].Length;
            for (var t = 0; t < rows; t++)
            {
                TensorPrimitives.Add(vector, states.Slice(((b * length) + t) * dimensions, dimensions), vector);
            }

            var norm = TensorPrimitives.Norm((ReadOnlySpan<float>)vector);
            if (norm > 0)
            {
                TensorPrimitives.Divide(vector, norm, vector);
            }

            pooled[b] = vector;
        }

        return pooled;
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        EmbedderServices.Get(this, serviceType, serviceKey, Metadata, _fusion, Window);

    public void Dispose()
    {
        if (_session.IsValueCreated)
        {
            _session.Value.Dispose();
        }
    }
}
