var builder = WebApplication.CreateBuilder(args);
var app = builder.Build();
app.MapGet("/", () => Results.Ok());
await app.RunAsync();

/// <summary>Entry point marker for tests.</summary>
public partial class Program;
