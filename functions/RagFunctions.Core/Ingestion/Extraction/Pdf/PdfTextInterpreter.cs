using PdfSharp.Pdf;
using PdfSharp.Pdf.Content;
using PdfSharp.Pdf.Content.Objects;

namespace RagFunctions.Core.Ingestion.Extraction.Pdf;

/// <summary>An affine matrix [a b 0; c d 0; e f 1] in PDF's row-vector convention.</summary>
internal readonly record struct Matrix(double A, double B, double C, double D, double E, double F)
{
    public static Matrix Identity { get; } = new(1, 0, 0, 1, 0, 0);

    /// <summary>This matrix applied first, then <paramref name="other"/>.</summary>
    public Matrix Then(Matrix other) => new(
        A * other.A + B * other.C,
        A * other.B + B * other.D,
        C * other.A + D * other.C,
        C * other.B + D * other.D,
        E * other.A + F * other.C + other.E,
        E * other.B + F * other.D + other.F);

    public (double X, double Y) Apply(double x, double y) => (A * x + C * y + E, B * x + D * y + F);

    public static Matrix Translation(double x, double y) => new(1, 0, 0, 1, x, y);
}

/// <summary>One shown glyph in device space: where its baseline starts and ends, its text and its size.</summary>
internal readonly record struct PositionedGlyph(string Text, double X0, double Y0, double X1, double Y1, double Size, bool Bold);

/// <summary>Runs a page's content stream through the text-related part of the PDF graphics model
/// (q/Q/cm, BT/ET, Tf Tc Tw Tz TL Ts, Td TD Tm T*, Tj TJ ' ", and Do for form XObjects) and reports every glyph with its
/// device-space position. Everything that does not place text is ignored.
/// <para>Bounded for hostile input: every content stream's nesting is checked before PDFsharp's (recursive) content
/// parser sees it, a form that is already being drawn is not entered again (a self-drawing form cost ~K^8 operators),
/// forms nest at most <see cref="MaxFormDepth"/> deep, and all operators of the document count against
/// <see cref="IngestionLimits.MaxPdfOperators"/>, checking cancellation as they go.</para></summary>
internal sealed class PdfTextInterpreter(IngestionLimits limits, CancellationToken cancellationToken)
{
    private const int MaxFormDepth = 8;

    private readonly Dictionary<PdfDictionary, PdfFont> _fonts = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<PdfDictionary, CSequence> _forms = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<PdfDictionary> _activeForms = new(ReferenceEqualityComparer.Instance);
    private long _operators;
    private readonly List<PositionedGlyph> _glyphs = [];

    private sealed class GraphicsState
    {
        public Matrix Ctm = Matrix.Identity;
        public PdfFont? Font;
        public double FontSize = 1;
        public double CharSpacing;
        public double WordSpacing;
        public double HorizontalScale = 1;
        public double Leading;
        public double Rise;

        public GraphicsState Clone() => (GraphicsState)MemberwiseClone();
    }

    private GraphicsState _state = new();
    private readonly Stack<GraphicsState> _stack = new();
    private Matrix _tm = Matrix.Identity;
    private Matrix _tlm = Matrix.Identity;

    public IReadOnlyList<PositionedGlyph> Run(byte[] content, PdfDictionary? resources)
    {
        _glyphs.Clear();
        _state = new GraphicsState();
        _stack.Clear();
        Execute(Parse(content), resources, depth: 0);
        return _glyphs.ToArray();
    }

    private void Execute(CSequence sequence, PdfDictionary? resources, int depth)
    {
        foreach (var item in sequence)
        {
            if (item is COperator op)
            {
                if (++_operators > limits.MaxPdfOperators)
                {
                    throw new ExtractionFailedException(IngestionLimits.Breach(
                        "PDF content-stream work", limits.MaxPdfOperators, nameof(IngestionLimits.MaxPdfOperators), " operators"));
                }

                if ((_operators & 0xFFF) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                Apply(op, resources, depth);
            }
            else if (item is CSequence nested and not CArray)
            {
                Execute(nested, resources, depth);
            }
        }
    }

    private void Apply(COperator op, PdfDictionary? resources, int depth)
    {
        var operands = op.Operands;
        switch (op.OpCode.Name)
        {
            case "q":
                _stack.Push(_state.Clone());
                break;
            case "Q":
                if (_stack.Count > 0)
                {
                    _state = _stack.Pop();
                }

                break;
            case "cm" when operands.Count >= 6:
                _state.Ctm = MatrixFrom(operands).Then(_state.Ctm);
                break;
            case "BT":
                _tm = _tlm = Matrix.Identity;
                break;
            case "Tf" when operands.Count >= 2:
                _state.Font = FontFor(resources, (operands[0] as CName)?.Name);
                _state.FontSize = Number(operands[1]);
                break;
            case "Tc" when operands.Count >= 1:
                _state.CharSpacing = Number(operands[0]);
                break;
            case "Tw" when operands.Count >= 1:
                _state.WordSpacing = Number(operands[0]);
                break;
            case "Tz" when operands.Count >= 1:
                _state.HorizontalScale = Number(operands[0]) / 100;
                break;
            case "TL" when operands.Count >= 1:
                _state.Leading = Number(operands[0]);
                break;
            case "Ts" when operands.Count >= 1:
                _state.Rise = Number(operands[0]);
                break;
            case "Td" when operands.Count >= 2:
                MoveLine(Number(operands[0]), Number(operands[1]));
                break;
            case "TD" when operands.Count >= 2:
                _state.Leading = -Number(operands[1]);
                MoveLine(Number(operands[0]), Number(operands[1]));
                break;
            case "Tm" when operands.Count >= 6:
                _tm = _tlm = MatrixFrom(operands);
                break;
            case "T*":
                MoveLine(0, -_state.Leading);
                break;
            case "Tj" when operands.Count >= 1:
                Show(operands[0]);
                break;
            case "'" when operands.Count >= 1:
                MoveLine(0, -_state.Leading);
                Show(operands[0]);
                break;
            case "\"" when operands.Count >= 3:
                _state.WordSpacing = Number(operands[0]);
                _state.CharSpacing = Number(operands[1]);
                MoveLine(0, -_state.Leading);
                Show(operands[2]);
                break;
            case "TJ" when operands.Count >= 1:
                foreach (var element in Flatten(operands[0]))
                {
                    if (element is CString)
                    {
                        Show(element);
                    }
                    else if (element is CInteger or CReal)
                    {
                        var adjust = -Number(element) / 1000 * _state.FontSize * _state.HorizontalScale;
                        _tm = Matrix.Translation(adjust, 0).Then(_tm);
                    }
                }

                break;
            case "Do" when operands.Count >= 1 && depth < MaxFormDepth:
                DrawForm(resources, (operands[0] as CName)?.Name, depth);
                break;
        }
    }

    private void DrawForm(PdfDictionary? resources, string? name, int depth)
    {
        if (name is null || resources is null || PdfObjects.Dictionary(resources, "/XObject") is not { } xobjects
            || PdfObjects.Dictionary(xobjects, name) is not { } form || PdfObjects.Name(form, "/Subtype") != "/Form")
        {
            return;
        }

        if (_activeForms.Contains(form))
        {
            throw new ExtractionFailedException($"corrupt .pdf: form XObject {name} draws itself (a cycle)");
        }

        if (!_forms.TryGetValue(form, out var sequence))
        {
            // Parsed once per form: a form drawn on every page (a letterhead) is not re-parsed each time.
            sequence = PdfObjects.StreamBytes(form, limits) is { } bytes ? Parse(bytes) : new CSequence();
            _forms[form] = sequence;
        }

        var saved = _state.Clone();
        var savedTm = _tm;
        var savedTlm = _tlm;
        if (PdfObjects.Array(form, "/Matrix") is { Elements.Count: 6 } m)
        {
            var values = PdfObjects.Items(m).Select(i => PdfObjects.Number(i) ?? 0).ToArray();
            _state.Ctm = new Matrix(values[0], values[1], values[2], values[3], values[4], values[5]).Then(_state.Ctm);
        }

        var formResources = PdfObjects.Dictionary(form, "/Resources") ?? resources;
        _activeForms.Add(form);
        try
        {
            Execute(sequence, formResources, depth + 1);
        }
        finally
        {
            _activeForms.Remove(form);
        }

        _state = saved;
        _tm = savedTm;
        _tlm = savedTlm;
    }

    private CSequence Parse(byte[] content)
    {
        PdfSyntaxGuard.CheckContent(content, limits);
        return ContentReader.ReadContent(content);
    }

    private void MoveLine(double tx, double ty)
    {
        _tlm = Matrix.Translation(tx, ty).Then(_tlm);
        _tm = _tlm;
    }

    private void Show(CObject operand)
    {
        if (operand is not CString str || _state.Font is not { } font)
        {
            return;
        }

        var s = _state;
        foreach (var glyph in font.Decode(RawBytes(str)))
        {
            var trm = new Matrix(s.FontSize * s.HorizontalScale, 0, 0, s.FontSize, 0, s.Rise).Then(_tm).Then(s.Ctm);
            var advance = (glyph.Width * s.FontSize + s.CharSpacing + (glyph.IsWordSpace ? s.WordSpacing : 0)) * s.HorizontalScale;
            var (x0, y0) = trm.Apply(0, 0);
            _tm = Matrix.Translation(advance, 0).Then(_tm);
            var end = new Matrix(s.FontSize * s.HorizontalScale, 0, 0, s.FontSize, 0, s.Rise).Then(_tm).Then(s.Ctm);
            var (x1, y1) = end.Apply(0, 0);
            var size = Math.Sqrt(trm.C * trm.C + trm.D * trm.D);
            if (glyph.Text is { Length: > 0 } text)
            {
                _glyphs.Add(new PositionedGlyph(text, x0, y0, x1, y1, size, font.IsBold));
            }
        }
    }

    /// <summary>PDFsharp's content lexer turns strings that begin with FE FF into UTF-16 text; font codes are bytes,
    /// so such strings are turned back into the bytes they were.</summary>
    private static byte[] RawBytes(CString str)
    {
        var value = str.Value;
        if (value.Any(c => c > 0xFF))
        {
            var bytes = new byte[2 + value.Length * 2];
            bytes[0] = 0xFE;
            bytes[1] = 0xFF;
            for (var i = 0; i < value.Length; i++)
            {
                bytes[2 + i * 2] = (byte)(value[i] >> 8);
                bytes[3 + i * 2] = (byte)value[i];
            }

            return bytes;
        }

        var raw = new byte[value.Length];
        for (var i = 0; i < value.Length; i++)
        {
            raw[i] = (byte)value[i];
        }

        return raw;
    }

    private PdfFont? FontFor(PdfDictionary? resources, string? name)
    {
        if (name is null || resources is null || PdfObjects.Dictionary(resources, "/Font") is not { } fonts
            || PdfObjects.Dictionary(fonts, name) is not { } fontDictionary)
        {
            return null;
        }

        if (!_fonts.TryGetValue(fontDictionary, out var font))
        {
            font = new PdfFont(fontDictionary);
            _fonts[fontDictionary] = font;
        }

        return font;
    }

    private static IEnumerable<CObject> Flatten(CObject operand)
    {
        if (operand is CSequence sequence)
        {
            foreach (var item in sequence)
            {
                foreach (var inner in Flatten(item))
                {
                    yield return inner;
                }
            }
        }
        else
        {
            yield return operand;
        }
    }

    private static Matrix MatrixFrom(CSequence operands) => new(
        Number(operands[0]), Number(operands[1]), Number(operands[2]),
        Number(operands[3]), Number(operands[4]), Number(operands[5]));

    private static double Number(CObject value) => value switch
    {
        CInteger i => i.Value,
        CReal r => r.Value,
        _ => 0,
    };
}
