using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;
using RagFunctions.Core.Ingestion.Chunking;

namespace RagFunctions.Local.Embedding;

/// <summary>
/// The uncased BERT WordPiece tokenization the sentence-transformers models were trained with, through
/// Microsoft.ML.Tokenizers' <see cref="BertTokenizer"/> with two corrections so it matches the reference (HuggingFace) one on
/// real text: line breaks and tabs become spaces before tokenizing (2.0.1 deletes <c>\t\n\r</c>, gluing the words on either
/// side together — dotnet/machinelearning#7724), and the pre-tokenizer splits off every ASCII punctuation and symbol character
/// as BERT's basic tokenizer does (2.0.1 drops <c>$+&lt;=&gt;^`|~</c> — #7725). Accents are removed (uncased models), CJK
/// characters are tokens of their own.
/// </summary>
public sealed partial class WordPieceTokens : ITokenCounter
{
    private readonly BertTokenizer _tokenizer;

    public WordPieceTokens(Stream vocabulary)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        if ("\u00e9".Normalize(System.Text.NormalizationForm.FormD).Length != 2)
        {
            throw new InvalidOperationException(
                "The local embedder needs Unicode normalisation (ICU): run with InvariantGlobalization=false, or set RagFunctions:Embedding:Model=lexical.");
        }

        _tokenizer = BertTokenizer.Create(vocabulary, new BertOptions
        {
            LowerCaseBeforeTokenization = true,
            RemoveNonSpacingMarks = true,
            IndividuallyTokenizeCjk = true,
            PreTokenizer = new RegexPreTokenizer(BertWords(), null),
        });
    }

    public int ClassificationTokenId => _tokenizer.ClassificationTokenId;

    public int SeparatorTokenId => _tokenizer.SeparatorTokenId;

    public int UnknownTokenId => _tokenizer.UnknownTokenId;

    /// <summary>Word-piece ids of <paramref name="text"/> without <c>[CLS]</c>/<c>[SEP]</c>.</summary>
    public IReadOnlyList<int> Encode(string text) =>
        _tokenizer.EncodeToIds(Clean(text), addSpecialTokens: false);

    /// <summary>The text of one id (for tests and diagnostics).</summary>
    public string? Decode(int id) => _tokenizer.Decode([id]);

    /// <summary>Word pieces of <paramref name="text"/>, special tokens excluded.</summary>
    public int CountTokens(ReadOnlySpan<char> text) => Encode(text.ToString()).Count;

    private static string Clean(string text) => Whitespace().Replace(text, " ");

    // BERT's BasicTokenizer: every Unicode punctuation character and every ASCII non-alphanumeric printable character is a
    // token of its own; anything else up to whitespace or such a character is a word.
    [GeneratedRegex(@"[\p{P}\u0021-\u002F\u003A-\u0040\u005B-\u0060\u007B-\u007E]|[^\s\p{P}\u0021-\u002F\u003A-\u0040\u005B-\u0060\u007B-\u007E]+")]
    private static partial Regex BertWords();

    [GeneratedRegex(@"\s")]
    private static partial Regex Whitespace();
}
