using Billing.FunctionApp;
using Billing.FunctionApp.Configuration;
using Billing.FunctionApp.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.Configuration
    .AddLocalSettingsJson(Path.Combine(builder.Environment.ContentRootPath, LocalSettingsConfiguration.FileName))
    .AddEnvironmentVariables()
    .AddCommandLine(args);

builder.AddCustomHandlerHosting();
builder.AddBillingFunctionApp();

var app = builder.Build();
app.Services.ValidateFunctions();
app.MapBillingFunctionApp();
await app.RunAsync();

/// <summary>The function app's entry point (referenced by tests).</summary>
public partial class Program;
