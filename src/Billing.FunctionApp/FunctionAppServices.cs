using Billing.Application.DependencyInjection;
using Billing.Application.Invoicing;
using Billing.FunctionApp.Http;
using Billing.FunctionApp.Webhooks;
using Billing.Infrastructure;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Options;

namespace Billing.FunctionApp;

/// <summary>
/// The function app's one DI entry point: the worker's HTTP concerns (problem details, authentication, rate limits, webhook limits),
/// then the application layer and every adapter behind its ports. All options are validated at start-up.
/// </summary>
public static class FunctionAppServices
{
    public static FunctionsApplicationBuilder AddBillingFunctionApp(this FunctionsApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var configuration = builder.Configuration;
        services.AddSingleton(TimeProvider.System);
        services.AddProblemDetails(options => options.CustomizeProblemDetails = Problems.AddTraceId);
        services.AddBillingAuthentication(configuration, builder.Environment);
        services.AddOptions<RateLimitOptions>().Bind(configuration.GetSection(RateLimitOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RateLimitOptions>, RateLimitOptionsValidator>();
        services.AddSingleton<AccountRateLimiter>();
        services.AddOptions<WebhookIngestOptions>().Bind(configuration.GetSection(WebhookIngestOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<WebhookIngestOptions>, WebhookIngestOptionsValidator>();

        services.AddBillingApplication(configuration);
        services.PostConfigure<InvoicingOptions>(o => o.AllowTestFaults = builder.Environment.IsDevelopment());
        services.AddBillingInfrastructure(configuration, builder.Environment);
        return builder;
    }
}
