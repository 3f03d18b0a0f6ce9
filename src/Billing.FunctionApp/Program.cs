using Billing.FunctionApp;
using Billing.FunctionApp.Http;
using Microsoft.Azure.Functions.Worker.Builder;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.UseMiddleware<ExceptionMiddleware>();
builder.UseMiddleware<AuthenticationMiddleware>();
builder.UseMiddleware<RateLimitMiddleware>();
builder.AddBillingFunctionApp();
await builder.Build().RunAsync();
