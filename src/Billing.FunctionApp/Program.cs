using Billing.FunctionApp;
using Billing.FunctionApp.Configuration;
using Billing.FunctionApp.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.Configuration
    .AddLocalSettingsJson(Path.Combine(builder.Environment.ContentRootPath, LocalSettingsConfiguration.FileName))
    .AddEnvironmentVariables()
    .AddCommandLine(args);

// Services first: their start-up work (e.g. provisioning) runs before the standalone triggers start.
builder.AddBillingFunctionApp();
builder.AddCustomHandlerHosting();

var app = builder.Build();
app.Services.ValidateFunctions();
app.MapBillingFunctionApp();
await app.RunAsync();

/// <summary>The function app's entry point (referenced by tests).</summary>
public partial class Program;
