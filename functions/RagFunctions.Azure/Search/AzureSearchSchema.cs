using Azure.Search.Documents.Indexes.Models;

namespace RagFunctions.Azure.Search;

/// <summary>The index definition: field names, analyzers, vector and semantic configuration.</summary>
internal static class AzureSearchSchema
{
    public const string Id = "id";
    public const string Content = "content";
    public const string Title = "title";
    public const string SourcePath = "sourcePath";
    public const string Page = "page";
    public const string Heading = "heading";
    public const string Ordinal = "ordinal";
    public const string DocumentId = "documentId";
    public const string StartOffset = "startOffset";
    public const string EndOffset = "endOffset";
    public const string TokenCount = "tokenCount";
    public const string OwnerIds = "ownerIds";
    public const string GroupIds = "groupIds";
    public const string Vector = "vector";
    public const string VectorModel = "vectorModel";
    public const string TextHash = "textHash";

    public const string HnswConfigurationName = "hnsw";
    public const string VectorProfileName = "vector-profile";

    /// <summary>Every field except the vector: what queries select.</summary>
    public static readonly string[] RetrievableFields =
        [Id, Content, Title, SourcePath, Page, Heading, Ordinal, DocumentId, StartOffset, EndOffset, TokenCount, OwnerIds, GroupIds];

    public static SearchIndex Build(string indexName, int dimensions, string? semanticConfiguration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 2);

        // standard.lucene rather than en.microsoft: the corpus mixes English with other languages (Indonesian among them)
        // in one field, and an English lemmatiser would mangle non-English terms; the vector leg of every hybrid query
        // already recovers morphological variants (run/running), which is what English stemming would have bought.
        var analyzer = LexicalAnalyzerName.StandardLucene;

        var index = new SearchIndex(indexName)
        {
            Fields =
            [
                new SimpleField(Id, SearchFieldDataType.String) { IsKey = true, IsFilterable = true },
                new SearchableField(Content) { AnalyzerName = analyzer },
                new SearchableField(Title) { AnalyzerName = analyzer },
                new SimpleField(SourcePath, SearchFieldDataType.String) { IsFilterable = true },
                new SimpleField(Page, SearchFieldDataType.Int32),
                new SimpleField(Heading, SearchFieldDataType.String),
                // Filterable and sortable: stale-chunk cleanup asks for "ordinal ge N" and pages in ordinal order.
                new SimpleField(Ordinal, SearchFieldDataType.Int32) { IsFilterable = true, IsSortable = true },
                // Facetable so stats can count distinct documents.
                new SimpleField(DocumentId, SearchFieldDataType.String) { IsFilterable = true, IsFacetable = true },
                new SimpleField(StartOffset, SearchFieldDataType.Int32),
                new SimpleField(EndOffset, SearchFieldDataType.Int32),
                new SimpleField(TokenCount, SearchFieldDataType.Int32),
                new SimpleField(OwnerIds, SearchFieldDataType.Collection(SearchFieldDataType.String)) { IsFilterable = true },
                new SimpleField(GroupIds, SearchFieldDataType.Collection(SearchFieldDataType.String)) { IsFilterable = true },
                // Retrievable (IsHidden false) and stored (the default): the vector cache reads vectors back by text hash.
                new VectorSearchField(Vector, dimensions, VectorProfileName) { IsHidden = false },
                // The vector cache's key: which embedder made the vector ("model id/dimensions") and the SHA-256 of the text it
                // embedded. Added fields are allowed on an existing index without downtime; older chunks hold null and miss.
                new SimpleField(VectorModel, SearchFieldDataType.String) { IsFilterable = true },
                new SimpleField(TextHash, SearchFieldDataType.String) { IsFilterable = true },
            ],
            VectorSearch = new VectorSearch
            {
                Algorithms =
                {
                    new HnswAlgorithmConfiguration(HnswConfigurationName)
                    {
                        // The service defaults (m 4, efConstruction 400, efSearch 500), written out so the schema is explicit;
                        // cosine matches how both embedders' vectors are meant to be compared.
                        Parameters = new HnswParameters
                        {
                            M = 4,
                            EfConstruction = 400,
                            EfSearch = 500,
                            Metric = VectorSearchAlgorithmMetric.Cosine,
                        },
                    },
                },
                Profiles = { new VectorSearchProfile(VectorProfileName, HnswConfigurationName) },
            },
        };

        if (!string.IsNullOrWhiteSpace(semanticConfiguration))
        {
            var fields = new SemanticPrioritizedFields { TitleField = new SemanticField(Title) };
            fields.ContentFields.Add(new SemanticField(Content));
            index.SemanticSearch = new SemanticSearch { DefaultConfigurationName = semanticConfiguration };
            index.SemanticSearch.Configurations.Add(new SemanticConfiguration(semanticConfiguration, fields));
        }

        return index;
    }
}
