using RagFunctions.Local.Embedding;

namespace RagFunctions.Local.Tests.Embedding;

/// <summary>Expected pieces are those of the reference (HuggingFace BertTokenizer, uncased) for the models' vocabulary.</summary>
public sealed class WordPieceTokensTests
{
    private static readonly Lazy<WordPieceTokens> Tokens = new(() =>
    {
        using var vocabulary = LocalEmbedderDefinition.MiniLm.OpenResource(LocalEmbedderDefinition.MiniLm.VocabularyResource);
        return new WordPieceTokens(vocabulary);
    });

    private static string Pieces(string text) => string.Join(" ", Tokens.Value.Encode(text).Select(id => Tokens.Value.Decode(id)));

    [Fact]
    public void Ascii_symbols_are_tokens_of_their_own_not_dropped()
    {
        // Microsoft.ML.Tokenizers 2.0.1 alone drops $ + < = > ^ ` | ~ (dotnet/machinelearning#7725).
        Assert.Equal("5 $ + 3 < 4 = x ^ 2 | y ~ z ` code `", Pieces("5$ + 3 < 4 = x^2 | y ~ z `code`"));
        Assert.Equal("hello , world ! it ' s", Pieces("Hello, world! It's"));
    }

    [Fact]
    public void Tabs_and_line_breaks_separate_words()
    {
        // 2.0.1 alone deletes \t \n \r and glues "here" + "new" into "her ##ene ##w" (dotnet/machinelearning#7724).
        Assert.Equal("tab here new line", Pieces("tab\there\nnew\r\nline"));
    }

    [Fact]
    public void Accents_are_removed_as_the_uncased_models_expect_not_mapped_to_unknown()
    {
        Assert.Equal("cafe naive jurgen resume", Pieces("Café naïve Jürgen résumé"));
        Assert.DoesNotContain(Tokens.Value.UnknownTokenId, Tokens.Value.Encode("Café naïve Jürgen résumé"));
    }

    [Fact]
    public void Indonesian_is_split_into_known_word_pieces()
    {
        var ids = Tokens.Value.Encode("Saya sedang membaca buku tentang pengambilan informasi.");

        Assert.DoesNotContain(Tokens.Value.UnknownTokenId, ids);
        Assert.Equal("sayasedangmembacabukutentangpengambilaninformasi.", Pieces("Saya sedang membaca buku tentang pengambilan informasi.").Replace(" ", "", StringComparison.Ordinal).Replace("##", "", StringComparison.Ordinal));
    }

    [Fact]
    public void Code_keeps_every_operator()
    {
        Assert.Equal("int main ( ) { return a - > b [ i ] + x * y ; } / / c + +", Pieces("int main() { return a->b[i] + x*y; } // c++"));
    }

    [Fact]
    public void Curly_apostrophes_and_cjk_are_real_tokens()
    {
        Assert.Equal("don ’ t stop 東 京", Pieces("don’t stop 東京"));
        Assert.DoesNotContain(Tokens.Value.UnknownTokenId, Tokens.Value.Encode("don’t stop 東京"));
    }

    [Fact]
    public void Counting_agrees_with_encoding()
    {
        const string text = "Line one.\nLine two\twith a tab; x <= y.";

        Assert.Equal(Tokens.Value.Encode(text).Count, Tokens.Value.CountTokens(text));
    }
}
