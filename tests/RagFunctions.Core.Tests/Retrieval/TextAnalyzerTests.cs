using RagFunctions.Core.Retrieval;

namespace RagFunctions.Core.Tests.Retrieval;

public sealed class TextAnalyzerTests
{
    private readonly TextAnalyzer _analyzer = new();

    [Fact]
    public void English_text_is_lower_cased_stop_worded_and_stemmed()
    {
        var result = _analyzer.AnalyzeDocument("The Runners were RUNNING quickly to the facilities of the connected stations.");

        Assert.True(result.IsEnglish);
        Assert.Equal(["runner", "run", "quickli", "facil", "connect", "station"], result.Terms);
    }

    [Fact]
    public void Indonesian_text_is_not_stemmed()
    {
        var result = _analyzer.AnalyzeDocument(
            "Fasilitas khusus untuk membangunkan kualitas layanan yang bagus dan terus meningkat bagi semua pelanggan kami.");

        Assert.False(result.IsEnglish);
        Assert.Contains("membangunkan", result.Terms);
        Assert.Contains("fasilitas", result.Terms);
        Assert.Contains("khusus", result.Terms);
        Assert.Contains("kualitas", result.Terms);
        Assert.DoesNotContain("fasilita", result.Terms);
        Assert.DoesNotContain("khusu", result.Terms);
    }

    [Fact]
    public void Short_query_carries_surface_and_stemmed_forms()
    {
        var terms = _analyzer.AnalyzeQuery("fasilitas connections");

        Assert.Equal(["fasilitas", "fasilita", "connections", "connect"], terms);
    }

    [Fact]
    public void Long_english_query_is_stemmed_only_and_keeps_repeats_as_query_term_frequency()
    {
        var terms = _analyzer.AnalyzeQuery("how do I reset the password of the connected connection");

        Assert.Equal(["reset", "password", "connect", "connect"], terms);
    }

    [Fact]
    public void Long_keyword_style_query_carries_both_forms_and_matches_english_and_indonesian_chunks()
    {
        // No English function words, so it could be either language: surface forms alone would miss every stemmed English chunk.
        var terms = _analyzer.AnalyzeQuery("Computerized indexing systems. Computerized retrieval systems.");
        Assert.Equal(["computerized", "computer", "indexing", "index", "systems", "system", "computerized", "computer", "retrieval", "retriev", "systems", "system"], terms);

        var index = new Bm25Index();
        index.Add(0, _analyzer.AnalyzeDocument("The library indexes its catalogue with a computer system that was installed last year.").Terms);
        index.Add(1, _analyzer.AnalyzeDocument("Perpustakaan ini memakai systems dan indexing untuk katalog yang besar di kota.").Terms);
        index.Add(2, _analyzer.AnalyzeDocument("The weather was warm and the children played in the garden until the evening.").Terms);

        Assert.Equal([0, 1], index.Search(terms, 10).Select(h => h.Slot).Order());
        var indonesian = _analyzer.AnalyzeQuery("fasilitas perpustakaan katalog indexing systems kota");
        Assert.Equal(1, index.Search(indonesian, 10)[0].Slot);
    }

    [Fact]
    public void Short_query_matches_english_and_indonesian_chunks()
    {
        var index = new Bm25Index();
        index.Add(0, _analyzer.AnalyzeDocument("The facilities were closed and the staff was moved to other facilities.").Terms);
        index.Add(1, _analyzer.AnalyzeDocument("Fasilitas ini ditutup dan staf dipindahkan ke fasilitas lain di kota.").Terms);

        Assert.Single(index.Search(_analyzer.AnalyzeQuery("facilities"), 10), hit => hit.Slot == 0);
        Assert.Single(index.Search(_analyzer.AnalyzeQuery("fasilitas"), 10), hit => hit.Slot == 1);
    }

    [Fact]
    public void Words_break_on_punctuation_and_keep_digits_and_accents()
    {
        var result = _analyzer.AnalyzeDocument("café-au-lait, v2.0; naïve_approach");

        Assert.Equal(["café", "au", "lait", "v2", "0", "naïve", "approach"], result.Terms);
    }

    [Fact]
    public void Cjk_text_becomes_unigrams_and_bigrams()
    {
        var result = _analyzer.AnalyzeDocument("数据库");

        Assert.Equal(["数", "据", "数据", "库", "据库"], result.Terms);
    }

    [Fact]
    public void Cjk_query_of_one_character_matches_a_longer_word()
    {
        var index = new Bm25Index();
        index.Add(0, _analyzer.AnalyzeDocument("我们的数据库很快").Terms);
        index.Add(1, _analyzer.AnalyzeDocument("今天天气很好").Terms);

        var hits = index.Search(_analyzer.AnalyzeQuery("库"), 10);

        Assert.Equal([0], hits.Select(h => h.Slot));
    }

    [Fact]
    public void Index_analysis_counts_the_same_terms_as_document_analysis_and_keys_identify_terms()
    {
        const string text = "The connection failed; connecting again fixed the connections. 数据库 数据 Fasilitas fasilitas.";
        var analyzer = new TextAnalyzer();

        var expected = analyzer.AnalyzeDocument(text).Terms.GroupBy(t => t).ToDictionary(g => g.Key, g => g.Count());
        var counted = analyzer.AnalyzeForIndex(text);

        Assert.Equal(expected.Values.Sum(), counted.Length);
        Assert.Equal(expected, counted.Terms.Zip(counted.Frequencies).ToDictionary(p => p.First, p => (int)p.Second));
        Assert.Same(analyzer, counted.KeySpace);
        Assert.Equal(counted.Terms.Length, counted.Keys!.Distinct().Count());

        // A full cache stops issuing keys; counting still works by string.
        var tiny = new TextAnalyzer(maxCacheEntries: 2).AnalyzeForIndex(text);
        Assert.Equal(expected, tiny.Terms.Zip(tiny.Frequencies).ToDictionary(p => p.First, p => (int)p.Second));
        Assert.Contains(-1, tiny.Keys!);
    }
}
