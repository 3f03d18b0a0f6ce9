using Billing.FunctionApp;
using Billing.FunctionApp.Http;
using Billing.Infrastructure.Cosmos;
using Microsoft.Azure.Functions.Worker.Builder;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.UseMiddleware<ExceptionMiddleware>();
builder.UseMiddleware<AuthenticationMiddleware>();
builder.UseMiddleware<RateLimitMiddleware>();
builder.AddBillingFunctionApp();

using var app = builder.Build();
await app.Services.ProvisionStorageIfEnabledAsync(CancellationToken.None); // development only; before any invocation
await app.RunAsync();
