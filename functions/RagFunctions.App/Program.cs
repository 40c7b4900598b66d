using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RagFunctions.App.Hosting;

// Startup shape from learn.microsoft.com/azure/azure-functions/dotnet-isolated-process-guide (IHostApplicationBuilder tabs):
// FunctionsApplication.CreateBuilder (Worker 2.x), ConfigureFunctionsWebApplication (ASP.NET Core integration,
// Http.AspNetCore 2.x), AddApplicationInsightsTelemetryWorkerService + ConfigureFunctionsApplicationInsights ("Application Insights").
var builder = FunctionsApplication.CreateBuilder(args);

// FunctionsApplicationBuilder is itself the worker application builder, so middleware is registered on it after the
// ASP.NET Core integration: the integration's HTTP proxying middleware comes first, ours sits inside it (the IActionResult
// it sets is the one the proxy executes), and Build() appends the default execution middleware last. The overload taking a
// configure callback is not in every Http.AspNetCore 2.x release; this form works with all of them.
builder.ConfigureFunctionsWebApplication();
builder.UseWhen<HttpProblemMiddleware>(HttpProblemMiddleware.IsHttpTrigger);

builder.Services
    .AddApplicationInsightsTelemetryWorkerService()
    .ConfigureFunctionsApplicationInsights();

// The Application Insights SDK adds a Warning-and-above filter for its logger provider; ingestion's Information events
// (per-document correlation) must reach Azure Monitor, so the rule is removed (same guide, "Managing log levels").
builder.Logging.Services.Configure<LoggerFilterOptions>(options =>
{
    var rule = options.Rules.FirstOrDefault(r => r.ProviderName == ApplicationInsightsLogging.ProviderName);
    if (rule is not null)
    {
        options.Rules.Remove(rule);
    }
});

builder.Services.AddRagFunctionsApp(builder.Configuration);

await builder.Build().RunAsync();
