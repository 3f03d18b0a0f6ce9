using Billing.FunctionApp.Auth;
using Billing.FunctionApp.Configuration;
using Billing.FunctionApp.Functions;
using Billing.FunctionApp.Functions.BillingApi;
using Billing.FunctionApp.Functions.Health;
using Billing.FunctionApp.Functions.MonthlyInvoicing;
using Billing.FunctionApp.Functions.ProcessStripeEvent;
using Billing.FunctionApp.Hosting;
using Billing.FunctionApp.Hosting.CustomHandler;
using Billing.FunctionApp.Infrastructure;
using Billing.QueueStorage;

namespace Billing.FunctionApp;

/// <summary>Every registration and every endpoint of the function app, in one place.</summary>
public static class FunctionAppServices
{
    public static WebApplicationBuilder AddBillingFunctionApp(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var configuration = builder.Configuration;
        services.AddProblemDetails();
        services.AddBillingAuthentication(configuration, builder.Environment);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(_ => new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) }) { Timeout = TimeSpan.FromSeconds(30) });
        services.AddSingleton(sp => QueueServiceFactory.Create(configuration, sp.GetRequiredService<HttpClient>()));
        services.AddStripe(configuration);
        services.AddPersistence(configuration);
        services.AddCatalog(configuration);
        services.AddBillingApi(configuration);

        services.AddSingleton<IQueueTriggeredFunction, ProcessStripeEventFunction>();
        services.AddStripeWebhooks(configuration);
        services.AddSingleton<ITimerTriggeredFunction, MonthlyInvoicingFunction>();

        services.AddHealthChecks()
            .AddCheck<ConfigurationHealthCheck>("configuration")
            .AddCheck<QueueStorageHealthCheck>("queues")
            .AddCheck<CosmosHealthCheck>("cosmos");
        return builder;
    }

    public static WebApplication MapBillingFunctionApp(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);

        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseCors();
        app.UseAuthentication();
        app.UseAuthorization();

        // The Functions host polls GET / until the server answers.
        app.MapGet("/", () => Results.Text("Billing function app")).ExcludeFromDescription();
        app.MapHealthChecks(HttpFunctionEndpoints.Http(app, HealthFunction.Name).Path!, HealthFunction.Options);
        app.MapBillingApi();
        app.MapStripeWebhookFunctions();
        app.MapNonHttpFunctions(app.Services.GetRequiredService<Hosting.FunctionMetadata.FunctionCatalog>());
        Functions.Benchmarking.BareEndpoint.MapBenchmarkEndpoints(app); // only when Benchmarks:BareEndpoint is true
        return app;
    }
}
