using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Moq;
using RagFunctions.Api.Assessment;
using RagFunctions.Core.Assessment;

namespace RagFunctions.Core.Tests.Assessment;

public sealed class AssessmentServiceRegistrationTests
{
    private static ServiceProvider Build(Dictionary<string, string?> settings, Action<IServiceCollection>? extra = null, Func<IServiceProvider, string, IChatClient>? create = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        extra?.Invoke(services);
        services.AddAssessment(configuration, create);
        return services.BuildServiceProvider();
    }

    [Fact]
    public void Options_bind_from_the_agreed_keys()
    {
        using var provider = Build(new()
        {
            ["RagFunctions:Assessment:InternalKey"] = "k",
            ["RagFunctions:Assessment:ArchivePrevious"] = "false",
            ["RagFunctions:Assessment:InboxFolder"] = "/tmp/inbox",
            ["RagFunctions:Assessment:QueueName"] = "q",
        });

        var options = provider.GetRequiredService<IOptions<AssessmentOptions>>().Value;

        Assert.Equal("k", options.InternalKey);
        Assert.False(options.ArchivePrevious);
        Assert.Equal("/tmp/inbox", options.InboxFolder);
        Assert.Equal("q", options.QueueName);
    }

    [Fact]
    public void No_configured_model_means_template_even_when_a_chat_client_is_registered()
    {
        using var provider = Build([], s => s.AddSingleton(Mock.Of<IChatClient>()));

        Assert.Empty(provider.GetRequiredService<AssessmentChatModels>()());
    }

    [Fact]
    public void The_host_model_factory_serves_the_configured_model_with_its_timeout()
    {
        var factory = new Mock<RagFunctions.Core.Chat.IChatClientFactory>();
        factory.Setup(f => f.Create("gpt-main")).Returns(Mock.Of<IChatClient>());
        using var provider = Build(
            new() { ["RagFunctions:Chat:Models:0:Name"] = "gpt-main", ["RagFunctions:Chat:Models:0:TimeoutSeconds"] = "20" },
            s => s.AddSingleton(factory.Object));

        var model = Assert.Single(provider.GetRequiredService<AssessmentChatModels>()());

        Assert.Equal("gpt-main", model.Name);
        Assert.Equal(TimeSpan.FromSeconds(20), model.Timeout);
    }

    [Fact]
    public void A_client_factory_builds_the_whole_chain_in_order()
    {
        var asked = new List<string>();
        using var provider = Build(
            new() { ["RagFunctions:Chat:Models:0:Name"] = "primary", ["RagFunctions:Chat:Models:1:Name"] = "fallback" },
            create: (_, name) =>
            {
                asked.Add(name);
                return Mock.Of<IChatClient>();
            });

        var models = provider.GetRequiredService<AssessmentChatModels>()();

        Assert.Equal(["primary", "fallback"], models.Select(m => m.Name));
        Assert.Equal(["primary", "fallback"], asked);
    }
}
