using Azure.Storage.Queues;
using Billing.Cosmos.Configuration;
using Billing.Cosmos.DependencyInjection;
using Billing.Cosmos.Provisioning;
using Billing.Infrastructure.Queues;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Billing.Infrastructure.Cosmos;

/// <summary>
/// The <c>Billing:Cosmos</c> settings: a connection string (the local emulator) or <c>AccountEndpoint</c> with a
/// managed identity (<c>ManagedIdentityClientId</c> for a user-assigned one). Containers are created at start-up
/// (<see cref="ProvisionStorageIfEnabledAsync"/>) only where <c>ProvisionOnStartup</c> is set (development); in Azure
/// the infrastructure provisions them.
/// </summary>
public static partial class CosmosRegistration
{
    internal static IServiceCollection AddCosmos(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(CosmosOptions.SectionName);
        services.AddBillingCosmos(options =>
        {
            section.Bind(options);
            if (string.IsNullOrWhiteSpace(options.ConnectionString) && options.AccountEndpoint is not null)
            {
                options.Credential = AzureCredentialFactory.Create(section["ManagedIdentityClientId"]);
            }
        });
        return services;
    }

    /// <summary>
    /// Development only (<c>Billing:Cosmos:ProvisionOnStartup</c>): creates the database and containers, the Stripe
    /// events and invoice jobs queues with their poison queues, and the notifications queue, as the Azure deployment does.
    /// The function app awaits it before the worker connects to the host, so no invocation ever meets a missing container
    /// or queue, and the product's consumer can receive before the first notification is sent.
    /// </summary>
    public static async Task ProvisionStorageIfEnabledAsync(this IServiceProvider services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (!services.GetRequiredService<IOptions<CosmosOptions>>().Value.ProvisionOnStartup)
        {
            return;
        }

        await services.GetRequiredService<CosmosProvisioner>().ProvisionIfEnabledAsync(cancellationToken).ConfigureAwait(false);
        var events = services.GetRequiredService<StripeEventQueues>();
        var jobs = services.GetRequiredService<InvoiceJobQueues>();
        var notifications = services.GetRequiredService<QueueServiceClient>().GetQueueClient(services.GetRequiredService<IOptions<QueueNameOptions>>().Value.NotificationsQueueName);
        foreach (var queue in (QueueClient[])[events.Main, events.Poison, jobs.Main, jobs.Poison, notifications])
        {
            try
            {
                await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is Azure.RequestFailedException or HttpRequestException or AggregateException)
            {
                // Queue storage down at start-up: the app still starts (health says so, the webhook answers 503, the
                // senders create their queue on the first send once storage is back).
                LogQueuesNotProvisioned(services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(CosmosRegistration)), queue.Name, exception.GetType().Name);
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not create the queue {Queue} at start-up ({ExceptionType}); it is created on the first send")]
    private static partial void LogQueuesNotProvisioned(ILogger logger, string queue, string exceptionType);
}
