var builder = WebApplication.CreateBuilder(args);
var app = builder.Build();
app.MapGet("/", () => "Stripe emulator (skeleton)");
await app.RunAsync();
