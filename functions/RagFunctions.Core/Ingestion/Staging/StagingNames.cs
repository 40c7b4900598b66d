namespace RagFunctions.Core.Ingestion.Staging;

/// <summary>Run ids and item names become file and blob names: only letters, digits, '-' and '_' are accepted, so no
/// adapter has to think about separators, traversal or case folding.</summary>
public static class StagingNames
{
    public const int MaxLength = 128;

    public static string Validate(string value, string paramName)
    {
        ArgumentException.ThrowIfNullOrEmpty(value, paramName);
        if (value.Length > MaxLength || !value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            throw new ArgumentException($"'{value}' is not a staging name (letters, digits, '-', '_'; at most {MaxLength})", paramName);
        }

        return value;
    }
}
