using System.IO.Compression;
using System.Xml;

namespace RagFunctions.Core.Ingestion.Extraction;

/// <summary>Checks an Office (OPC/ZIP) package before the Open XML SDK loads it: the expanded size of its entries (a
/// 714 KB .docx can hold 200 MB of XML) and the element nesting of its XML parts (the SDK builds its tree recursively,
/// so 100k nested <c>w:sdt</c> would overflow the stack). Streams every part once with <see cref="XmlReader"/>, which is
/// iterative and holds one node at a time; sizes are counted as bytes are actually inflated, so a lying ZIP header
/// does not help.</summary>
internal static class ZipPackageGuard
{
    public static void Check(byte[] package, IngestionLimits limits, CancellationToken cancellationToken)
    {
        using var zip = new ZipArchive(new MemoryStream(package, writable: false), ZipArchiveMode.Read);
        long declared = 0;
        foreach (var entry in zip.Entries)
        {
            declared += entry.Length;
            if (declared > limits.MaxExpandedBytes)
            {
                throw ExpandedBreach(limits);
            }
        }

        var budget = new ExpansionBudget(limits.MaxExpandedBytes);
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            IgnoreComments = true,
            IgnoreWhitespace = true,
        };
        foreach (var entry in zip.Entries)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!entry.FullName.EndsWith(".xml", StringComparison.OrdinalIgnoreCase)
                && !entry.FullName.EndsWith(".rels", StringComparison.OrdinalIgnoreCase))
            {
                // Media and other binary parts are never inflated by text extraction; their declared size was counted above.
                continue;
            }

            using var stream = new CountingStream(entry.Open(), budget, limits);
            using var reader = XmlReader.Create(stream, settings);
            var nodes = 0;
            while (reader.Read())
            {
                if (reader.NodeType == XmlNodeType.Element && reader.Depth > limits.MaxNestingDepth)
                {
                    throw new ExtractionFailedException(IngestionLimits.Breach(
                        $"XML element nesting in {entry.FullName}", limits.MaxNestingDepth, nameof(IngestionLimits.MaxNestingDepth), " levels"));
                }

                if ((++nodes & 0xFFFF) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }
            }
        }
    }

    private static ExtractionFailedException ExpandedBreach(IngestionLimits limits) =>
        new(IngestionLimits.Breach("expanded size of the package", limits.MaxExpandedBytes, nameof(IngestionLimits.MaxExpandedBytes), " bytes"));

    private sealed class ExpansionBudget(long limit)
    {
        private long _used;

        public bool TryUse(int bytes)
        {
            _used += bytes;
            return _used <= limit;
        }
    }

    /// <summary>Counts inflated bytes across all parts and stops reading once the package's budget is spent.</summary>
    private sealed class CountingStream(Stream inner, ExpansionBudget budget, IngestionLimits limits) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override int Read(Span<byte> buffer) => Count(inner.Read(buffer));

        private int Count(int read) => budget.TryUse(read) ? read : throw ExpandedBreach(limits);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
