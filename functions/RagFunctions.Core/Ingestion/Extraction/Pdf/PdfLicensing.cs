using PdfSharp;

namespace RagFunctions.Core.Ingestion.Extraction.Pdf;

/// <summary>PDFsharp 6.5+ reads no PDF until the process has chosen its license: the free AGPL license (which obliges the
/// whole service to be AGPL) or a commercial key. That is a product decision, so the host makes it explicitly at start-up
/// by calling one of these; until then PDFs fail with a clear reason and every other format works.</summary>
public static class PdfLicensing
{
    /// <summary>Runs PDFsharp under the AGPL (only appropriate when this service is itself AGPL-licensed, or for tests).</summary>
    public static void UseAgplLicense() => PdfSharpLicense.SetAgplLicense();

    /// <summary>Loads a commercial PDFsharp license key.</summary>
    public static void UseCommercialLicense(string licenseKey)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(licenseKey);
        PdfSharpLicense.LoadLicense(licenseKey);
    }

    /// <summary>Applies <c>RagFunctions:Ingestion:PdfLicense</c>: <c>agpl</c>, <c>commercial:{key}</c>, or empty (PDFs stay disabled).</summary>
    public static void Apply(string? setting)
    {
        var value = setting?.Trim() ?? "";
        if (value.Equals("agpl", StringComparison.OrdinalIgnoreCase))
        {
            UseAgplLicense();
        }
        else if (value.StartsWith("commercial:", StringComparison.OrdinalIgnoreCase))
        {
            UseCommercialLicense(value["commercial:".Length..]);
        }
        else if (value.Length > 0)
        {
            throw new ArgumentException($"RagFunctions:Ingestion:PdfLicense must be 'agpl', 'commercial:<key>' or empty, not '{value}'.", nameof(setting));
        }
    }

    /// <summary>PDFsharp's license exception type is not public; it is recognised by name.</summary>
    internal static bool IsLicenseError(Exception exception) =>
        exception.GetType().Name == "PdfSharpLicenseException";
}
