using RagFunctions.Core.Retrieval;

namespace RagFunctions.Core.Tests.Retrieval;

public sealed class PorterStemmerTests
{
    // Examples given step by step in Porter (1980), "An algorithm for suffix stripping", and its published vocabulary.
    [Theory]
    [InlineData("caresses", "caress")]
    [InlineData("ponies", "poni")]
    [InlineData("ties", "ti")]
    [InlineData("caress", "caress")]
    [InlineData("cats", "cat")]
    [InlineData("feed", "feed")]
    [InlineData("agreed", "agre")]
    [InlineData("plastered", "plaster")]
    [InlineData("bled", "bled")]
    [InlineData("motoring", "motor")]
    [InlineData("sing", "sing")]
    [InlineData("conflated", "conflat")]
    [InlineData("troubled", "troubl")]
    [InlineData("sized", "size")]
    [InlineData("hopping", "hop")]
    [InlineData("tanned", "tan")]
    [InlineData("falling", "fall")]
    [InlineData("hissing", "hiss")]
    [InlineData("fizzed", "fizz")]
    [InlineData("failing", "fail")]
    [InlineData("filing", "file")]
    [InlineData("happy", "happi")]
    [InlineData("sky", "sky")]
    [InlineData("relational", "relat")]
    [InlineData("conditional", "condit")]
    [InlineData("rational", "ration")]
    [InlineData("generalizations", "gener")]
    [InlineData("oscillators", "oscil")]
    [InlineData("controlling", "control")]
    [InlineData("rolling", "roll")]
    [InlineData("connection", "connect")]
    [InlineData("connections", "connect")]
    [InlineData("connective", "connect")]
    [InlineData("connected", "connect")]
    [InlineData("connecting", "connect")]
    [InlineData("probate", "probat")]
    [InlineData("rate", "rate")]
    [InlineData("cease", "ceas")]
    [InlineData("adjustable", "adjust")]
    [InlineData("replacement", "replac")]
    [InlineData("adoption", "adopt")]
    [InlineData("hopefulness", "hope")]
    public void Stems_like_the_published_algorithm(string word, string expected) =>
        Assert.Equal(expected, PorterStemmer.Stem(word));

    // Porter's own reference implementation departs from the paper with "bli"→"ble" and "logi"→"log" (as SQLite FTS5's
    // porter tokenizer and Lucene's PorterStemFilter do), so "technology" and "technological" conflate; words with digits
    // are stemmed like any other ("1950s" → "1950").
    [Theory]
    [InlineData("technology", "technolog")]
    [InlineData("technologies", "technolog")]
    [InlineData("technological", "technolog")]
    [InlineData("methodology", "methodolog")]
    [InlineData("possibly", "possibl")]
    [InlineData("possible", "possibl")]
    [InlineData("visibly", "visibl")]
    [InlineData("1950s", "1950")]
    [InlineData("mp3s", "mp3")]
    public void Applies_the_reference_implementation_departures_and_stems_words_with_digits(string word, string expected) =>
        Assert.Equal(expected, PorterStemmer.Stem(word));

    [Theory]
    [InlineData("at")]
    [InlineData("utf8")]
    [InlineData("1950")]
    [InlineData("café")]
    [InlineData("数据")]
    public void Leaves_short_and_non_ascii_words_alone(string word) => Assert.Equal(word, PorterStemmer.Stem(word));
}
