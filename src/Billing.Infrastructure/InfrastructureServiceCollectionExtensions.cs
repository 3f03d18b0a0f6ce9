using Billing.Application.Catalog;
using Billing.Application.Invoicing;
using Billing.Application.Operations;
using Billing.Application.Payments;
using Billing.Application.StripeEvents;
using Billing.Application.StripeEvents.Ingest;
using Billing.Application.StripeEvents.Recovery;
using Billing.Application.Subscriptions;
using Billing.Application.Usage;
using Billing.Infrastructure.Cosmos;
using Billing.Infrastructure.Health;
using Billing.Infrastructure.Queues;
using Billing.Infrastructure.StripeApi;
using Billing.Infrastructure.StripeApi.Webhooks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Billing.Infrastructure;

public static class InfrastructureServiceCollectionExtensions
{
    /// <summary>The log category of the Stripe HttpClient's factory logging; its request URIs carry query strings (account ids).</summary>
    public const string StripeHttpClientLogCategory = "System.Net.Http.HttpClient." + StripeClientFactory.HttpClientName;

    /// <summary>
    /// Registers every adapter behind the application's ports, with their settings bound and validated at start-up:
    /// Stripe (<c>Stripe</c> section; <see cref="StripeClientFactory"/> with the process-wide <see cref="StripeRequestBudget"/>,
    /// <see cref="StripeWebhookVerifier"/>, the gateway, the subscription source, the event payload reader, the event source and usage invoicing),
    /// queues (<c>AzureWebJobsStorage</c>, <c>STRIPE_EVENTS_QUEUE</c>, <c>BILLING_NOTIFICATIONS_QUEUE</c>, <c>INVOICE_JOBS_QUEUE</c>;
    /// the queue writer and senders, and the poison queues as <see cref="IPoisonMessages"/>), Cosmos DB
    /// (<c>Billing:Cosmos</c>; the stores and the start-up provisioning) and <see cref="DependencyHealth"/>.
    /// Uses <see cref="TimeProvider.System"/> unless a TimeProvider is registered. Application services are not registered here.
    /// </summary>
    public static IServiceCollection AddBillingInfrastructure(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(environment);
        services.TryAddSingleton(TimeProvider.System);
        services.AddStripeApi(configuration, environment);
        services.AddQueues(configuration);
        services.AddCosmos(configuration);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDependencyCheck, QueueHealthCheck>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDependencyCheck, CosmosHealthCheck>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDependencyCheck, StripeHealthCheck>());
        services.TryAddSingleton(sp => new DependencyHealth(
            sp.GetServices<IDependencyCheck>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<DependencyHealth>>()));
        return services;
    }

    private static void AddStripeApi(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        services.AddOptions<StripeOptions>()
            .Bind(configuration.GetSection(StripeOptions.SectionName))
            .PostConfigure(options =>
            {
                // An empty "Stripe:ApiBase" (a blank local setting) means api.stripe.com.
                if (options.ApiBase is { IsAbsoluteUri: false, OriginalString.Length: 0 })
                {
                    options.ApiBase = null;
                }
            })
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StripeOptions>>(new StripeOptionsValidator(environment)));

        // Events are checked against the mode of the configured key (a test key never applies live events): the mode
        // is the key's, never a setting of its own.
        services.AddOptions<StripeModeOptions>().Configure<IOptions<StripeOptions>>((mode, stripe) => mode.LiveMode = stripe.Value.KeyMode == StripeKeyMode.Live);

        // Stripe.net retries by itself: no resilience handler on this client. Every attempt (retries too) first waits
        // for the one process-wide request budget, outside the logging handler (its durations exclude the wait).
        services.TryAddSingleton<StripeRequestBudget>();
        services.TryAddTransient<StripeRequestBudgetHandler>();
        services.TryAddTransient<StripeRequestLoggingHandler>();
        services.AddHttpClient(StripeClientFactory.HttpClientName)
            .ConfigureHttpClient((sp, client) => client.Timeout = sp.GetRequiredService<IOptions<StripeOptions>>().Value.RequestTimeout)
            .AddHttpMessageHandler<StripeRequestBudgetHandler>()
            .AddHttpMessageHandler<StripeRequestLoggingHandler>();
        services.AddLogging(logging => logging.AddFilter(StripeHttpClientLogCategory, LogLevel.Warning));

        services.TryAddSingleton<StripeClientFactory>();
        services.TryAddTransient(sp => sp.GetRequiredService<StripeClientFactory>().Create());
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<StripeOptions>>().Value;
            return new StripeWebhookVerifier(options.WebhookSecrets, options.WebhookTolerance, sp.GetRequiredService<TimeProvider>());
        });
        services.TryAddSingleton<StripeWebhookReceiver>();
        services.TryAddSingleton<IStripeBillingGateway, StripeBillingGateway>();
        services.TryAddSingleton<IStripeSubscriptionSource, StripeSubscriptionSource>();
        services.TryAddSingleton<IStripeEventPayloadReader, StripeEventPayloadReader>();
        services.TryAddSingleton<IStripeEventSource, StripeEventSource>();
        services.TryAddSingleton<IStripeInvoicing, StripeInvoicing>();
        services.TryAddSingleton<IStripePrices, StripePrices>();
    }

    private static void AddQueues(this IServiceCollection services, IConfiguration configuration)
    {
        var storage = configuration.GetSection(QueueStorageOptions.ConnectionName);
        services.AddOptions<QueueStorageOptions>()
            .Bind(storage)
            .Configure(options => options.ConnectionString = storage.Value)
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<QueueStorageOptions>, QueueStorageOptionsValidator>());
        services.AddOptions<QueueNameOptions>().Bind(configuration).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<QueueNameOptions>, QueueNameOptionsValidator>());

        services.TryAddSingleton(sp => QueueServiceFactory.Create(sp.GetRequiredService<IOptions<QueueStorageOptions>>().Value));
        services.TryAddSingleton<StripeEventQueues>();
        services.TryAddSingleton<IStripeEventQueueWriter, StripeEventQueueWriter>();
        services.TryAddSingleton<StripeEventPoisonMessages>();
        services.TryAddSingleton<InvoiceJobPoisonMessages>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPoisonMessages, StripeEventPoisonMessages>(sp => sp.GetRequiredService<StripeEventPoisonMessages>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPoisonMessages, InvoiceJobPoisonMessages>(sp => sp.GetRequiredService<InvoiceJobPoisonMessages>()));
        services.TryAddSingleton<IBillingNotifications, BillingNotificationSender>();
        services.TryAddSingleton<InvoiceJobQueues>();
        services.TryAddSingleton<IInvoiceJobs, InvoiceJobSender>();
    }
}
