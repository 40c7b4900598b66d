using Microsoft.Extensions.DependencyInjection.Extensions;
using RagFunctions.Api.Assessment;
using RagFunctions.Core.Assessment;
using RagFunctions.Local.Assessment;

// In the Hosting namespace so LocalHostSetup wires it with one line and no extra using.
namespace RagFunctions.Local.Hosting;

/// <summary>Wires assessments into the embedded host: shared Core/Api services, SQLite notifications, the folder and HTTP inboxes.</summary>
public static class LocalAssessmentSetup
{
    public static IServiceCollection AddLocalAssessment(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddAssessment(configuration);
        services.TryAddSingleton<SqliteNotificationStore>();
        services.TryAddSingleton<INotificationSink>(sp => sp.GetRequiredService<SqliteNotificationStore>());
        services.TryAddSingleton<INotificationReader>(sp => sp.GetRequiredService<SqliteNotificationStore>());
        services.TryAddSingleton<AssessmentInboxSettings>();
        services.TryAddSingleton<AssessmentInboxFolders>();
        services.TryAddSingleton<AssessmentFolderInbox>();
        services.AddHostedService(sp => sp.GetRequiredService<AssessmentFolderInbox>());
        return services;
    }

    /// <summary>The local HTTP event inbox (the shared assessment API is part of <c>MapSharedApi</c>).</summary>
    public static IEndpointRouteBuilder MapLocalAssessment(this IEndpointRouteBuilder app)
    {
        app.MapPost(AssessmentHttpInbox.Route, AssessmentHttpInbox.ReceiveEvent).WithTags("Assessment");
        return app;
    }
}
