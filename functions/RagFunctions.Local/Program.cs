using RagFunctions.Local.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddLocalHost();

var app = builder.Build();
app.UseLocalHost();
await app.RunAsync();

/// <summary>Entry point; public so integration tests can start the host in-process.</summary>
public partial class Program;
