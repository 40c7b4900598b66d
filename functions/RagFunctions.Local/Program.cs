using RagFunctions.Local.Hosting;
using RagFunctions.Local.Identity;

// `token <user> …` mints a development bearer token and exits without starting the host.
if (TokenCommand.TryRun(args, out var tokenExitCode))
{
    return tokenExitCode;
}

var builder = WebApplication.CreateBuilder(args);
builder.AddLocalHost();

var app = builder.Build();
app.UseLocalHost();
await app.RunAsync();
return 0;

/// <summary>Entry point; public so integration tests can start the host in-process.</summary>
public partial class Program;
