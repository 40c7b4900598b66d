namespace RagFunctions.Core.Retrieval;

/// <summary>The original Porter (1980) suffix-stripping algorithm for lower-case English words.
/// Words with characters outside a–z (digits, accents, CJK) and words of one or two letters are returned unchanged.</summary>
public static class PorterStemmer
{
    private static readonly (string Suffix, string Replacement)[] Step2Rules =
    [
        ("ational", "ate"), ("tional", "tion"), ("enci", "ence"), ("anci", "ance"), ("izer", "ize"), ("bli", "ble"),
        ("alli", "al"), ("entli", "ent"), ("eli", "e"), ("ousli", "ous"), ("ization", "ize"), ("ation", "ate"),
        ("ator", "ate"), ("alism", "al"), ("iveness", "ive"), ("fulness", "ful"), ("ousness", "ous"), ("aliti", "al"),
        ("iviti", "ive"), ("biliti", "ble"), ("logi", "log"),
    ];

    private static readonly (string Suffix, string Replacement)[] Step3Rules =
    [
        ("icate", "ic"), ("ative", ""), ("alize", "al"), ("iciti", "ic"), ("ical", "ic"), ("ful", ""), ("ness", ""),
    ];

    private static readonly string[] Step4Suffixes =
    [
        "al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent", "ion", "ou", "ism", "ate",
        "iti", "ous", "ive", "ize",
    ];

    /// <summary>Stems one lower-case word.</summary>
    public static string Stem(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        return Stem(word.AsSpan()) ?? word;
    }

    /// <summary>Stems one lower-case word; null when the word is returned unchanged (saves an allocation).</summary>
    public static string? Stem(ReadOnlySpan<char> word)
    {
        if (word.Length <= 2 || word.Length > 64)
        {
            return null;
        }

        foreach (var c in word)
        {
            if (c is (< 'a' or > 'z') and (< '0' or > '9'))
            {
                return null;
            }
        }

        Span<char> buffer = stackalloc char[word.Length];
        word.CopyTo(buffer);
        var w = new Word(buffer);
        w.Step1A();
        w.Step1B();
        w.Step1C();
        w.Step2();
        w.Step3();
        w.Step4();
        w.Step5A();
        w.Step5B();
        var result = buffer[..w.Length];
        return result.SequenceEqual(word) ? null : new string(result);
    }

    /// <summary>The word being stemmed: a buffer and its current length (suffixes are removed by shortening, replaced in place).</summary>
    private ref struct Word(Span<char> chars)
    {
        private readonly Span<char> _b = chars;

        public int Length { get; private set; } = chars.Length;

        private readonly bool IsConsonant(int i)
        {
            switch (_b[i])
            {
                case 'a' or 'e' or 'i' or 'o' or 'u':
                    return false;
                case 'y':
                    return i == 0 || !IsConsonant(i - 1);
                default:
                    return true;
            }
        }

        /// <summary>m in [C](VC)^m[V] over the first <paramref name="stemLength"/> characters.</summary>
        private readonly int Measure(int stemLength)
        {
            var i = 0;
            while (i < stemLength && IsConsonant(i))
            {
                i++;
            }

            var m = 0;
            while (i < stemLength)
            {
                while (i < stemLength && !IsConsonant(i))
                {
                    i++;
                }

                if (i >= stemLength)
                {
                    break;
                }

                while (i < stemLength && IsConsonant(i))
                {
                    i++;
                }

                m++;
            }

            return m;
        }

        private readonly bool HasVowel(int stemLength)
        {
            for (var i = 0; i < stemLength; i++)
            {
                if (!IsConsonant(i))
                {
                    return true;
                }
            }

            return false;
        }

        private readonly bool EndsWithDoubleConsonant(int stemLength) =>
            stemLength >= 2 && _b[stemLength - 1] == _b[stemLength - 2] && IsConsonant(stemLength - 1);

        /// <summary>*o: the stem ends consonant-vowel-consonant and the last consonant is not w, x or y.</summary>
        private readonly bool EndsCvc(int stemLength)
        {
            if (stemLength < 3)
            {
                return false;
            }

            var last = _b[stemLength - 1];
            return IsConsonant(stemLength - 3) && !IsConsonant(stemLength - 2) && IsConsonant(stemLength - 1)
                && last is not ('w' or 'x' or 'y');
        }

        private readonly bool EndsWith(string suffix) =>
            Length > suffix.Length - 1 && _b[..Length].EndsWith(suffix.AsSpan());

        private void SetEnding(int stemLength, string replacement)
        {
            replacement.AsSpan().CopyTo(_b[stemLength..]);
            Length = stemLength + replacement.Length;
        }

        /// <summary>Steps 2–4: the longest matching suffix decides; if its condition fails, nothing else is tried.</summary>
        private void ReplaceLongest((string Suffix, string Replacement)[] rules, int minMeasure)
        {
            var best = -1;
            for (var r = 0; r < rules.Length; r++)
            {
                if (EndsWith(rules[r].Suffix) && (best < 0 || rules[r].Suffix.Length > rules[best].Suffix.Length))
                {
                    best = r;
                }
            }

            if (best < 0)
            {
                return;
            }

            var stem = Length - rules[best].Suffix.Length;
            if (Measure(stem) > minMeasure)
            {
                SetEnding(stem, rules[best].Replacement);
            }
        }

        public void Step1A()
        {
            if (EndsWith("sses") || EndsWith("ies"))
            {
                Length -= 2;
            }
            else if (!EndsWith("ss") && EndsWith("s"))
            {
                Length -= 1;
            }
        }

        public void Step1B()
        {
            if (EndsWith("eed"))
            {
                if (Measure(Length - 3) > 0)
                {
                    Length -= 1;
                }

                return;
            }

            int stem;
            if (EndsWith("ed") && HasVowel(Length - 2))
            {
                stem = Length - 2;
            }
            else if (EndsWith("ing") && HasVowel(Length - 3))
            {
                stem = Length - 3;
            }
            else
            {
                return;
            }

            Length = stem;
            if (EndsWith("at") || EndsWith("bl") || EndsWith("iz"))
            {
                SetEnding(Length, "e");
            }
            else if (EndsWithDoubleConsonant(Length) && _b[Length - 1] is not ('l' or 's' or 'z'))
            {
                Length -= 1;
            }
            else if (Measure(Length) == 1 && EndsCvc(Length))
            {
                SetEnding(Length, "e");
            }
        }

        public void Step1C()
        {
            if (EndsWith("y") && HasVowel(Length - 1))
            {
                _b[Length - 1] = 'i';
            }
        }

        public void Step2() => ReplaceLongest(Step2Rules, 0);

        public void Step3() => ReplaceLongest(Step3Rules, 0);

        public void Step4()
        {
            var suffixes = Step4Suffixes;
            var best = -1;
            for (var s = 0; s < suffixes.Length; s++)
            {
                if (EndsWith(suffixes[s]) && (best < 0 || suffixes[s].Length > suffixes[best].Length))
                {
                    best = s;
                }
            }

            if (best < 0)
            {
                return;
            }

            var stem = Length - suffixes[best].Length;
            if (Measure(stem) <= 1)
            {
                return;
            }

            if (suffixes[best] == "ion" && (stem == 0 || _b[stem - 1] is not ('s' or 't')))
            {
                return;
            }

            Length = stem;
        }

        public void Step5A()
        {
            if (!EndsWith("e"))
            {
                return;
            }

            var m = Measure(Length - 1);
            if (m > 1 || (m == 1 && !EndsCvc(Length - 1)))
            {
                Length -= 1;
            }
        }

        public void Step5B()
        {
            if (Measure(Length) > 1 && EndsWithDoubleConsonant(Length) && _b[Length - 1] == 'l')
            {
                Length -= 1;
            }
        }
    }
}
