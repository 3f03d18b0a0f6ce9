using Billing.StripeEmulator.Hosting;

// appsettings.json is read from beside the binary, whatever the working directory.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.UseEmulatorDefaults();
builder.Services.AddStripeEmulator(builder.Configuration);

var app = builder.Build();
app.UseStripeEmulator();
await app.RunAsync();
