using Billing.FunctionApp.Api;
using Billing.FunctionApp.Configuration;
using Billing.FunctionApp.Health;
using Billing.FunctionApp.Http;
using Billing.FunctionApp.Infrastructure;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Options;

namespace Billing.FunctionApp;

/// <summary>The function app's one DI entry point: the HTTP concerns of the worker plus the application and its adapters.</summary>
public static class FunctionAppServices
{
    public static FunctionsApplicationBuilder AddBillingFunctionApp(this FunctionsApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var configuration = builder.Configuration;
        services.AddSingleton(TimeProvider.System);
        services.AddBillingAuthentication(configuration, builder.Environment);
        services.AddOptions<RateLimitOptions>().Bind(configuration.GetSection(RateLimitOptions.SectionName))
            .Validate(o => o.RequestsPerMinute is >= 1 and <= 10_000, $"{RateLimitOptions.SectionName}:RequestsPerMinute must be between 1 and 10000.")
            .ValidateOnStart();
        services.AddSingleton<AccountRateLimiter>();

        services.AddSingleton(_ => new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) }) { Timeout = TimeSpan.FromSeconds(30) });
        services.AddSingleton(sp => QueueServiceFactory.Create(configuration, sp.GetRequiredService<HttpClient>()));
        services.AddStripe(configuration);
        services.AddPersistence(configuration);
        services.AddCatalog(configuration);
        services.AddBillingApi(configuration);
        services.AddStripeWebhooks(configuration);

        services.AddHealthChecks()
            .AddCheck<ConfigurationHealthCheck>("configuration")
            .AddCheck<QueueStorageHealthCheck>("queues")
            .AddCheck<CosmosHealthCheck>("cosmos");
        return builder;
    }
}
