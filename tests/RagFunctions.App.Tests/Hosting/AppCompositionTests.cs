using System.Reflection;
using System.Text.Json;
using Azure.Core;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RagFunctions.App.Hosting;
using RagFunctions.Azure.Identity;
using RagFunctions.Core.Ingestion;
using RagFunctions.Core.Ingestion.Catalog;
using RagFunctions.Core.Ingestion.Embedding;
using RagFunctions.Core.Ingestion.Staging;
using RagFunctions.Core.Retrieval;

namespace RagFunctions.App.Tests.Hosting;

/// <summary>The app's production composition (<see cref="AppServiceCollectionExtensions.AddRagFunctionsApp"/>) with the
/// documented settings of <c>local.settings.sample.json</c>: every function class the worker would construct resolves, and
/// each port is served by its Azure adapter, not a local or no-op stand-in. A missing registration otherwise only shows when
/// the deployed app first runs that function. No Azure call is made: clients connect lazily, endpoints point at loopback and
/// the credential is a fixed test token (never a developer or managed-identity credential).</summary>
public sealed class AppCompositionTests
{
    private static ServiceProvider Compose()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IHostEnvironment>(new TestHostEnvironment());
        // Registered first: the app adds these with TryAdd, so the test's fixed credential wins.
        services.AddSingleton(AzureCredentialFactory.FromCredential(new FixedCredential()));
        services.AddSingleton<TokenCredential>(new FixedCredential());
        services.AddRagFunctionsApp(SampleSettings());
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
    }

    /// <summary>The sample's values with its placeholders (<c>&lt;account&gt;</c> …) pointed at loopback.</summary>
    private static IConfiguration SampleSettings()
    {
        using var sample = JsonDocument.Parse(File.ReadAllText(Path.Combine(Repository.Root, "local.settings.sample.json")));
        var values = sample.RootElement.GetProperty("Values").EnumerateObject().ToDictionary(
            p => p.Name.Replace("__", ":", StringComparison.Ordinal),
            p => p.Value.GetString() is { } value && value.Contains('<', StringComparison.Ordinal)
                ? value.Contains("servicebus", StringComparison.Ordinal) ? "127.0.0.1" : "https://127.0.0.1:9/"
                : p.Value.GetString());
        return new ConfigurationBuilder().AddInMemoryCollection(values).Build();
    }

    /// <summary>Classes with instance <c>[Function]</c> methods: the worker constructs these from DI for every invocation.</summary>
    private static IReadOnlyList<Type> InstanceFunctionClasses() =>
        [.. typeof(AppServiceCollectionExtensions).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false }
                && t.GetMethods(BindingFlags.Public | BindingFlags.Instance).Any(m => m.GetCustomAttribute<FunctionAttribute>() is not null))
            .OrderBy(t => t.FullName, StringComparer.Ordinal)];

    public static TheoryData<Type> FunctionClasses()
    {
        var data = new TheoryData<Type>();
        foreach (var type in InstanceFunctionClasses())
        {
            data.Add(type);
        }

        return data;
    }

    [Fact]
    public void The_app_has_instance_function_classes_to_check()
    {
        Assert.True(InstanceFunctionClasses().Count >= 5, string.Join(", ", InstanceFunctionClasses().Select(t => t.Name)));
    }

    [Theory]
    [MemberData(nameof(FunctionClasses))]
    public async Task Every_function_class_resolves_from_the_production_composition(Type functionClass)
    {
        // Service Bus clients are only IAsyncDisposable, as the worker's container disposes them.
        await using var provider = Compose();
        await using var scope = provider.CreateAsyncScope();

        var instance = ActivatorUtilities.CreateInstance(scope.ServiceProvider, functionClass);

        Assert.IsType(functionClass, instance);
    }

    [Fact]
    public async Task Ingestion_ports_are_served_by_the_azure_adapters()
    {
        await using var provider = Compose();

        Assert.Equal("AzureSearchIndex", provider.GetRequiredService<ISearchIndex>().GetType().Name);
        Assert.Equal("AzureSearchVectorCache", provider.GetRequiredService<IVectorCache>().GetType().Name);
        Assert.Equal("CosmosDocumentCatalog", provider.GetRequiredService<IDocumentCatalog>().GetType().Name);
        Assert.Equal("BlobIngestionStaging", provider.GetRequiredService<IIngestionStaging>().GetType().Name);
        Assert.Equal("BlobDocumentRequeue", provider.GetRequiredService<IDocumentRequeue>().GetType().Name);
        Assert.Equal("BlobDocumentSource", provider.GetRequiredService<IDocumentSource>().GetType().Name);
    }

    private sealed class FixedCredential : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            new("test-token", DateTimeOffset.UtcNow.AddHours(1));

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }

    private sealed class TestHostEnvironment : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = Environments.Production;

        public string ApplicationName { get; set; } = "RagFunctions.App";

        public string ContentRootPath { get; set; } = AppContext.BaseDirectory;

        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } =
            new Microsoft.Extensions.FileProviders.NullFileProvider();
    }
}
