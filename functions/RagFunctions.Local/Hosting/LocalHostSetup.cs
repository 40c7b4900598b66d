using Microsoft.AspNetCore.Diagnostics;
using RagFunctions.Api.Documents;
using RagFunctions.Api.Hosting;
using RagFunctions.Api.Health;
using RagFunctions.Api.Chat;
using RagFunctions.Api.Cors;
using RagFunctions.Api.OpenApi;
using RagFunctions.Api.Problems;
using RagFunctions.Core.Ingestion.Extraction;
using RagFunctions.Core.Ingestion.Embedding;
using RagFunctions.Local.Embedding;
using RagFunctions.Local.Ingestion;
using RagFunctions.Local.Retrieval;
using RagFunctions.Local.Identity;
using RagFunctions.Azure;
using RagFunctions.Local.History;
using RagFunctions.Local.Storage;

namespace RagFunctions.Local.Hosting;

/// <summary>Wires the embedded host. Each feature adds one line here: its services and its routes.</summary>
public static class LocalHostSetup
{
    public static WebApplicationBuilder AddLocalHost(this WebApplicationBuilder builder)
    {
        builder.AddConsoleDefaults();
        builder.WebHost.UseUrls(builder.Configuration["urls"] ?? "http://localhost:7071");
        builder.Services.AddOptions<LocalHostOptions>().Bind(builder.Configuration.GetSection(LocalHostOptions.Section));
        builder.Services.AddSingleton<SqliteDatabase>();
        builder.Services.AddSingleton<StorageFaults>();
        builder.Services.AddSingleton<IStorageStatus>(sp => sp.GetRequiredService<StorageFaults>());
        builder.Services.AddProblemDetails();
        builder.Services.AddApiCors(builder.Configuration);
        builder.Services.AddApiOpenApi();
        builder.Services.AddHostedService<MetricsConsoleReporter>();
        builder.Services.AddHostedService<StartupSummary>();
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.CamelCase);

        // Feature registrations (one line each).
        builder.Services.AddSingleton(sp => new HostDescription("local", $"sqlite:{sp.GetRequiredService<SqliteDatabase>().FilePath}", "sqlite"));
        builder.Services.AddDocumentExtraction();
        builder.Services.AddLocalEmbeddings(builder.Configuration).AddLocalNeuralEmbedder(builder.Configuration);
        builder.Services.AddLocalSearchIndex();
        builder.Services.AddLocalIngestion(builder.Configuration);
        builder.Services.AddLocalCallerIdentity(builder.Configuration);
        builder.Services.AddConversationHistory(builder.Configuration);
        builder.Services.AddLocalAssessment(builder.Configuration);
        builder.Services.AddChatApi(builder.Configuration);
        // Keep last: configured Azure AI Search / OpenAI-compatible endpoints replace the local defaults; unconfigured ones register nothing.
        builder.Services.AddAzureSearchIndex(builder.Configuration).AddOpenAIModels(builder.Configuration);
        return builder;
    }

    public static WebApplication UseLocalHost(this WebApplication app)
    {
        // Before anything opens the database: an unusable data folder stops the host here with a clear message.
        DataDirectoryCheck.EnsureUsable(app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<LocalHostOptions>>().Value);

        // First the request line (it times and reports everything below); then security and CORS headers, added when the
        // response starts, so errors and 401s carry them too.
        app.UseMiddleware<RequestLogging>();
        app.UseSecurityHeaders();
        app.UseApiCors();
        app.UseChatPage();
        app.UseExceptionHandler(errorApp => errorApp.Run(async context =>
        {
            var error = context.Features.Get<IExceptionHandlerFeature>()?.Error;
            if (StorageFaults.CauseOf(error) is { } cause)
            {
                context.RequestServices.GetRequiredService<StorageFaults>().Report(cause, error!);
                context.Response.Headers.RetryAfter = "30";
                await TypedResults.Problem(
                    statusCode: StatusCodes.Status503ServiceUnavailable,
                    title: "Storage is unavailable.",
                    detail: $"The local store cannot be written: {cause}.",
                    type: "/problems/storage-unavailable",
                    instance: context.Request.Path).ExecuteAsync(context);
                return;
            }

            var result = ProblemResults.Respond(error ?? new InvalidOperationException("unknown error"), context.Request.Path);
            await result.ExecuteAsync(context);
        }));
        // Body-less errors (unknown route 404, 405, …) become problem+json.
        app.UseStatusCodeProblems();

        // Bearer tokens are validated for every request; handlers read the outcome through ICallerIdentityResolver.
        app.UseAuthentication();

        // Feature routes (one line each).
        app.MapSharedApi();
        app.MapLocalAssessment();
        app.MapApiReference();
        app.MapDevToken();
        return app;
    }
}
