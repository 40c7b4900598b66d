using System.Globalization;
using RagFunctions.Benchmarks.Cli;

namespace RagFunctions.Benchmarks.Corpus;

/// <summary><c>scale-corpus</c>: a corpus <c>--factor</c> times larger than a real one, for scale figures (1M chunks) beyond what
/// this machine's documentation holds. Copy 0 is the corpus itself; copy k joins the first half of line i with the second half
/// of another line chosen per copy, so every chunk is distinct while word and term-frequency distributions stay those of real
/// text (posting lists grow about <c>factor</c> times, as they would with more documents of the same kind).</summary>
internal static class CorpusScaler
{
    public static async Task<int> RunAsync(BenchArgs args)
    {
        var lines = await File.ReadAllLinesAsync(args.Required("corpus"));
        var factor = args.Int("factor", 10);
        var output = args.Required("out");
        await using var writer = new StreamWriter(output);
        for (var copy = 0; copy < factor; copy++)
        {
            // A per-copy stride coprime with most corpus sizes pairs each line with a different partner in every copy.
            var stride = 7919L * copy + copy;
            for (var i = 0; i < lines.Length; i++)
            {
                if (copy == 0)
                {
                    await writer.WriteLineAsync(lines[i]);
                    continue;
                }

                var head = lines[i].Split(' ');
                var tail = lines[(int)((i + stride) % lines.Length)].Split(' ');
                await writer.WriteLineAsync(string.Join(' ', head.Take(head.Length / 2).Concat(tail.Skip(tail.Length / 2))));
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"chunks={(long)lines.Length * factor} out={output}"));
        return 0;
    }
}
