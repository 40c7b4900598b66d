namespace RagFunctions.App.Hosting;

internal static class ApplicationInsightsLogging
{
    /// <summary>Full name of the Application Insights logger provider whose default Warning filter the worker guide removes.</summary>
    public const string ProviderName = "Microsoft.Extensions.Logging.ApplicationInsights.ApplicationInsightsLoggerProvider";
}
