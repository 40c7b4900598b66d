using Microsoft.AspNetCore.Diagnostics;
using RagFunctions.Api.Chat;
using RagFunctions.Api.Problems;
using RagFunctions.Local.Storage;

namespace RagFunctions.Local.Hosting;

/// <summary>Wires the embedded host. Each feature adds one line here: its services and its routes.</summary>
public static class LocalHostSetup
{
    public static WebApplicationBuilder AddLocalHost(this WebApplicationBuilder builder)
    {
        builder.WebHost.UseUrls(builder.Configuration["urls"] ?? "http://localhost:7071");
        builder.Services.AddOptions<LocalHostOptions>().Bind(builder.Configuration.GetSection(LocalHostOptions.Section));
        builder.Services.AddSingleton<SqliteDatabase>();
        builder.Services.AddProblemDetails();
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.CamelCase);

        // Feature registrations (one line each).
        builder.Services.AddChatApi(builder.Configuration);
        return builder;
    }

    public static WebApplication UseLocalHost(this WebApplication app)
    {
        app.UseExceptionHandler(errorApp => errorApp.Run(async context =>
        {
            var error = context.Features.Get<IExceptionHandlerFeature>()?.Error;
            var result = ProblemResults.FromException(error ?? new InvalidOperationException("unknown error"), context.Request.Path);
            await result.ExecuteAsync(context);
        }));

        // Feature routes (one line each).
        app.MapChatApi();
        return app;
    }
}
