using RagFunctions.Core.History;
using RagFunctions.Core.Limits;
using RagFunctions.Local.Limits;
using RagFunctions.Local.Storage;

namespace RagFunctions.Local.History;

public static class SqliteHistoryServiceCollectionExtensions
{
    /// <summary>Registers <see cref="SqliteConversationStore"/> as the <see cref="IConversationStore"/> (binding <see cref="HistoryOptions"/>)
    /// and the daily purge of soft-deleted conversations. Expects <see cref="SqliteDatabase"/> to be registered by the host.</summary>
    public static IServiceCollection AddSqliteConversationStore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<HistoryOptions>().Bind(configuration.GetSection(HistoryOptions.Section));
        services.AddSingleton<SqliteConversationStore>(sp => new SqliteConversationStore(
            sp.GetRequiredService<SqliteDatabase>(),
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<HistoryOptions>>(),
            sp.GetService<TimeProvider>()));
        services.AddSingleton<IConversationStore>(sp => sp.GetRequiredService<SqliteConversationStore>());
        services.AddSingleton<IUsageLedger>(sp => new SqliteUsageLedger(sp.GetRequiredService<SqliteDatabase>()));
        services.AddHostedService<SqliteHistoryPurgeService>();
        return services;
    }
}
