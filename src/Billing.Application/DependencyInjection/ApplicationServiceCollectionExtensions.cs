using Billing.Application.Accounts;
using Billing.Application.Admin;
using Billing.Application.Catalog;
using Billing.Application.Checkout;
using Billing.Application.Credits;
using Billing.Application.Entitlements;
using Billing.Application.Invoicing;
using Billing.Application.Operations;
using Billing.Application.Portal;
using Billing.Application.Redirects;
using Billing.Application.StripeEvents;
using Billing.Application.StripeEvents.Handling;
using Billing.Application.StripeEvents.Ingest;
using Billing.Application.StripeEvents.Recovery;
using Billing.Application.Subscriptions;
using Billing.Application.Trials;
using Billing.Application.Usage;
using Billing.Domain.Plans;
using Billing.Domain.Plans.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Billing.Application.DependencyInjection;

public static class ApplicationServiceCollectionExtensions
{
    /// <summary>
    /// The one entry point of the application layer: every use case, the Stripe event processor with its handlers,
    /// the missed-event sweep, and their options, bound from <paramref name="configuration"/> and validated at start-up:
    /// <c>Billing:Catalog</c>, <c>Billing:Entitlements</c>, <c>Billing:Checkout</c>, <c>Billing:Portal</c>,
    /// <c>Billing:Redirects</c>, <c>Billing:Usage</c>, <c>Billing:Invoicing</c>, <c>Billing:Stripe</c> (<c>LiveMode</c>), <c>Billing:SubscriptionSync</c> and <c>Billing:MissedEventSweep</c>,
    /// and the host's <c>AzureFunctionsJobHost:extensions:queues</c> (<see cref="QueueDeliveryOptions"/>).
    /// The ports (<see cref="IBillingAccountStore"/>, <see cref="IAccountRenewalQuery"/>, <see cref="IMissedEventSweepPositionStore"/>,
    /// <see cref="StripeCustomers.IStripeCustomerLinks"/>, <see cref="Usage.IUsageLedger"/>, <see cref="Usage.IAllocationLedger"/>, <see cref="Usage.IBillingNotifications"/>, <see cref="IInvoiceRunStore"/>, <see cref="IInvoicingSweepMarkStore"/>, <see cref="IStripeInvoicing"/>, <see cref="IInvoiceJobs"/>, <see cref="IStripeEventStore"/>,
    /// <see cref="IStripeEventPayloadReader"/>, <see cref="IStripeEventQueueWriter"/>, <see cref="IStripeSubscriptionSource"/>,
    /// <see cref="Payments.IStripeBillingGateway"/>, <see cref="IAccountDirectory"/>, <see cref="IInvoiceDirectory"/>, <see cref="IStripeEventHistory"/>, <see cref="IPoisonMessages"/>) come from the infrastructure; <see cref="TimeProvider.System"/> is used
    /// unless a TimeProvider is registered.
    /// </summary>
    public static IServiceCollection AddBillingApplication(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddSingleton(TimeProvider.System);

        AddValidatedOptions<PlanCatalogOptions, PlanCatalogOptionsValidator>(services, configuration, PlanCatalogOptions.SectionName);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PlanCatalogOptions>>(new PlanCatalogKeysValidator(configuration.GetSection(PlanCatalogOptions.SectionName))));
        AddValidatedOptions<EntitlementOptions, EntitlementOptionsValidator>(services, configuration, EntitlementOptions.SectionName);
        AddValidatedOptions<CheckoutOptions, CheckoutOptionsValidator>(services, configuration, CheckoutOptions.SectionName);
        AddValidatedOptions<PortalOptions, PortalOptionsValidator>(services, configuration, PortalOptions.SectionName);
        AddValidatedOptions<RedirectOptions, RedirectOptionsValidator>(services, configuration, RedirectOptions.SectionName);
        AddValidatedOptions<UsageOptions, UsageOptionsValidator>(services, configuration, UsageOptions.SectionName);
        AddValidatedOptions<InvoicingOptions, InvoicingOptionsValidator>(services, configuration, InvoicingOptions.SectionName);
        AddValidatedOptions<SubscriptionSyncOptions, SubscriptionSyncOptionsValidator>(services, configuration, SubscriptionSyncOptions.SectionName);
        AddValidatedOptions<MissedEventSweepOptions, MissedEventSweepOptionsValidator>(services, configuration, MissedEventSweepOptions.SectionName);
        AddValidatedOptions<PurchaseOptions, PurchaseOptionsValidator>(services, configuration, PurchaseOptions.SectionName);
        AddValidatedOptions<QueueDeliveryOptions, QueueDeliveryOptionsValidator>(services, configuration, QueueDeliveryOptions.SectionName);
        services.AddOptions<StripeModeOptions>(); // set from the Stripe key by the infrastructure registration

        // Catalog and account use cases
        services.TryAddSingleton(sp => PlanCatalog.Create(sp.GetRequiredService<IOptions<PlanCatalogOptions>>().Value));
        services.TryAddSingleton<AccountEntitlements>();
        services.TryAddSingleton<RedirectUrlPolicy>();
        services.TryAddTransient<StripeCustomerProvisioning>();
        services.TryAddTransient<CheckoutSessions>();
        services.TryAddTransient<PortalSessions>();
        services.TryAddTransient<LocalTrials>();
        services.TryAddTransient<SubscriptionOverview>();
        services.TryAddTransient<AccountRegistration>();
        services.TryAddTransient<EntitlementsOverview>();

        // Usage metering: consumption (with thresholds), allocations, the usage report
        services.TryAddSingleton<UsageThresholds>();
        services.TryAddSingleton<RecentAccounts>();
        services.TryAddSingleton<UsageRecording>();
        services.TryAddSingleton<Allocations>();
        services.TryAddTransient<UsageReport>();

        // Usage invoicing: the timer's sweep, one job per account and period, the caller's invoices
        services.TryAddTransient<InvoicingSweep>();
        services.TryAddTransient<InvoiceAccount>();
        services.TryAddTransient<AccountInvoices>();
        services.TryAddTransient<CreditOrder>();
        services.TryAddTransient<InvoicingRuns>();
        services.TryAddTransient<InvoiceRunStatusSync>();
        services.TryAddSingleton<PlanPricing>();

        // Credits and add-ons: purchases, the ledger protocol (its store is an adapter), views and adjustments
        services.TryAddSingleton(sp => PurchaseCatalog.Create(sp.GetRequiredService<IOptions<PurchaseOptions>>().Value, sp.GetRequiredService<IOptions<PlanCatalogOptions>>().Value));
        services.TryAddSingleton<CreditLedger>();
        services.TryAddSingleton<PendingInvoiceSpends>();
        services.TryAddSingleton<IPendingCreditSpends>(sp => sp.GetRequiredService<PendingInvoiceSpends>());
        services.TryAddTransient<PurchaseReversal>();
        services.TryAddTransient<IncludedUnits>();
        services.TryAddTransient<Purchases>();
        services.TryAddTransient<CreditsOverview>();
        services.TryAddTransient<CreditAdjustments>();
        services.TryAddEnumerable(ServiceDescriptor.Transient<ICheckoutPaymentHandler, PurchaseCompletedHandler>());

        // Stripe events: ingest, processing (IStripeEventTypeHandler is where a new event type goes), operations
        services.TryAddSingleton<StripeEventIngest>();
        services.TryAddSingleton<SubscriptionSnapshotApplier>();
        services.TryAddTransient<StripeSubscriptionSync>();
        services.TryAddSingleton<StripeEventAccountResolver>();
        services.TryAddEnumerable(ServiceDescriptor.Transient<IStripeEventTypeHandler, CheckoutSessionCompletedHandler>());
        services.TryAddEnumerable(ServiceDescriptor.Transient<IStripeEventTypeHandler, CheckoutSessionExpiredHandler>());
        services.TryAddEnumerable(ServiceDescriptor.Transient<IStripeEventTypeHandler, SubscriptionEventsHandler>());
        services.TryAddEnumerable(ServiceDescriptor.Transient<IStripeEventTypeHandler, InvoicePaymentEventsHandler>());
        services.TryAddEnumerable(ServiceDescriptor.Transient<IStripeEventTypeHandler, CustomerDeletedHandler>());
        services.TryAddEnumerable(ServiceDescriptor.Transient<IStripeEventTypeHandler, PaymentReversalHandler>());
        services.TryAddTransient<IStripeEventProcessor, StripeEventProcessor>();
        services.TryAddTransient<AccountStripeResync>();
        services.TryAddTransient<MissedEventSweep>();
        services.TryAddTransient<StripeEventRecovery>(); // its port IStripeEventSource: Stripe's list of events

        // Operator views: the account index kept by write-behind, the listings and the account detail
        // (ports IAccountDirectory, IInvoiceDirectory, IStripeEventHistory; credit from CreditsOverview)
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAccountChangeListener, AccountDirectoryIndexer>());
        services.TryAddTransient<AdminAccounts>();
        services.TryAddTransient<AdminInvoices>();
        services.TryAddTransient<AdminAccountResync>();
        services.TryAddTransient<PoisonQueues>(); // its port IPoisonMessages: one adapter per poison queue
        return services;
    }

    private static void AddValidatedOptions<TOptions, TValidator>(IServiceCollection services, IConfiguration configuration, string section)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        services.AddOptions<TOptions>().Bind(configuration.GetSection(section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, TValidator>());
    }
}
