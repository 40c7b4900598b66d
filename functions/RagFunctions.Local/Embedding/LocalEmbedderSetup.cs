using RagFunctions.Core.Ingestion.Embedding;

namespace RagFunctions.Local.Embedding;

public static class LocalEmbedderSetup
{
    /// <summary>Makes the model named by <c>RagFunctions:Embedding:Model</c> (default <c>minilm</c>) the inner embedding generator;
    /// <c>lexical</c> keeps the hashed n-gram embedder. An OpenAI-compatible embedding model, when configured, replaces either later.</summary>
    public static IServiceCollection AddLocalNeuralEmbedder(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(EmbeddingOptions.Section);
        var name = section[nameof(EmbeddingOptions.Model)] ?? new EmbeddingOptions().Model;
        if (string.Equals(name.Trim(), LocalEmbedderDefinition.Lexical, StringComparison.OrdinalIgnoreCase))
        {
            return services;
        }

        var definition = LocalEmbedderDefinition.Find(name) ?? throw new InvalidOperationException(
            $"RagFunctions:Embedding:Model '{name}' is not a local embedder; use one of: {string.Join(", ", LocalEmbedderDefinition.All.Select(d => d.Name))}, {LocalEmbedderDefinition.Lexical}.");
        var dimensions = section.GetValue<int?>(nameof(EmbeddingOptions.Dimensions));
        if (dimensions is { } d && d != definition.Dimensions && string.IsNullOrWhiteSpace(configuration["RagFunctions:OpenAI:EmbeddingModel"]))
        {
            throw new InvalidOperationException(
                $"RagFunctions:Embedding:Dimensions is {d} but the '{definition.Name}' model makes {definition.Dimensions}-dimension vectors; remove the setting or set {definition.Dimensions}.");
        }

        var threads = section.GetValue<int?>(nameof(EmbeddingOptions.IntraOpThreads)) ?? new EmbeddingOptions().IntraOpThreads;
        return services.UseInnerEmbeddingGenerator(_ => new OnnxSentenceEmbedder(definition, threads));
    }
}
