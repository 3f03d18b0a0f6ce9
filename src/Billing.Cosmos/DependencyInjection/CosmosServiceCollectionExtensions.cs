using Billing.Application.Accounts;
using Billing.Application.Admin;
using Billing.Application.Credits;
using Billing.Application.Invoicing;
using Billing.Application.StripeCustomers;
using Billing.Application.StripeEvents;
using Billing.Application.Subscriptions;
using Billing.Application.Usage;
using Billing.Cosmos.Accounts;
using Billing.Cosmos.Admin;
using Billing.Cosmos.Client;
using Billing.Cosmos.Configuration;
using Billing.Cosmos.Documents;
using Billing.Cosmos.Health;
using Billing.Cosmos.Credits;
using Billing.Cosmos.Invoicing;
using Billing.Cosmos.Provisioning;
using Billing.Cosmos.StripeCustomers;
using Billing.Cosmos.StripeEvents;
using Billing.Cosmos.Subscriptions;
using Billing.Cosmos.Usage;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Billing.Cosmos.DependencyInjection;

public static class CosmosServiceCollectionExtensions
{
    /// <summary>
    /// Registers the Cosmos DB persistence: validated <see cref="CosmosOptions"/> (checked at start-up), one
    /// <see cref="CosmosClient"/>, the stores behind the application ports, the provisioner and the health probe.
    /// Needs logging registered; uses <see cref="TimeProvider.System"/> unless a TimeProvider is registered.
    /// Call <see cref="CosmosProvisioner.ProvisionIfEnabledAsync"/> at start-up.
    /// </summary>
    public static IServiceCollection AddBillingCosmos(this IServiceCollection services, Action<CosmosOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);

        services.AddOptions<CosmosOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CosmosOptions>, CosmosOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => CosmosClientFactory.Create(sp.GetRequiredService<IOptions<CosmosOptions>>().Value));
        services.TryAddSingleton<BillingContainers>();
        services.TryAddSingleton<IBillingAccountStore, CosmosBillingAccountStore>();
        services.TryAddSingleton<IAccountRenewalQuery, CosmosAccountRenewalQuery>();
        services.TryAddSingleton<IMissedEventSweepPositionStore, CosmosMissedEventSweepPositionStore>();
        services.TryAddSingleton<IStripeCustomerLinks, CosmosStripeCustomerLinks>();
        services.TryAddSingleton<IUsageLedger, CosmosUsageLedger>();
        services.TryAddSingleton<IAllocationLedger, CosmosAllocationLedger>();
        services.TryAddSingleton<IStripeEventStore, CosmosStripeEventStore>();
        services.TryAddSingleton<IInvoiceRunStore, CosmosInvoiceRunStore>();
        services.TryAddSingleton<IInvoicingSweepMarkStore, CosmosInvoicingSweepMarkStore>();
        services.TryAddSingleton<CosmosAccountDirectory>();
        services.TryAddSingleton<IAccountDirectory>(sp => sp.GetRequiredService<CosmosAccountDirectory>());
        services.TryAddSingleton<CosmosInvoiceDirectory>();
        services.TryAddSingleton<IInvoiceDirectory>(sp => sp.GetRequiredService<CosmosInvoiceDirectory>());
        services.TryAddSingleton<CosmosStripeEventHistory>();
        services.TryAddSingleton<IStripeEventHistory>(sp => sp.GetRequiredService<CosmosStripeEventHistory>());
        services.TryAddSingleton<ICreditLedgerStore, CosmosCreditLedgerStore>();
        services.TryAddSingleton<CosmosProvisioner>();
        services.TryAddSingleton<CosmosHealthProbe>();
        return services;
    }
}
