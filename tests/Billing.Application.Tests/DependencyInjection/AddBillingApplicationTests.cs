using Billing.Application.Catalog;
using Billing.Application.Accounts;
using Billing.Application.Checkout;
using Billing.Application.Outcomes;
using Billing.Application.DependencyInjection;
using Billing.Application.Entitlements;
using Billing.Application.Invoicing;
using Billing.Application.Payments;
using Billing.Application.Portal;
using Billing.Application.StripeCustomers;
using Billing.Application.StripeEvents;
using Billing.Application.StripeEvents.Handling;
using Billing.Application.StripeEvents.Ingest;
using Billing.Application.StripeEvents.Recovery;
using Billing.Application.Subscriptions;
using Billing.Application.Tests.Fakes;
using Billing.Application.Trials;
using Billing.Application.Usage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Billing.Domain.Plans.Configuration;
using Microsoft.Extensions.Options;

namespace Billing.Application.Tests.DependencyInjection;

public sealed class AddBillingApplicationTests
{
    [Fact]
    public void Registers_every_use_case_handler_and_option_from_configuration()
    {
        using var services = Build(new Dictionary<string, string?>
        {
            ["Billing:Stripe:LiveMode"] = "true",
            ["Billing:MissedEventSweep:BatchSize"] = "25",
            ["Billing:MissedEventSweep:TimeBudget"] = "00:03:00",
            ["Billing:MissedEventSweep:Parallelism"] = "8",
            ["Billing:SubscriptionSync:ClockSkew"] = "00:00:02",
            ["Billing:Usage:LateWindow"] = "02:00:00",
            ["Billing:Usage:Thresholds:0"] = "90",
            ["Billing:Usage:Thresholds:1"] = "50",
            ["Billing:Invoicing:LookbackDays"] = "10",
        });

        Assert.NotNull(services.GetRequiredService<CheckoutSessions>());
        Assert.NotNull(services.GetRequiredService<PortalSessions>());
        Assert.NotNull(services.GetRequiredService<LocalTrials>());
        Assert.NotNull(services.GetRequiredService<SubscriptionOverview>());
        Assert.NotNull(services.GetRequiredService<StripeEventIngest>());
        Assert.NotNull(services.GetRequiredService<IStripeEventProcessor>());
        Assert.NotNull(services.GetRequiredService<AccountStripeResync>());
        Assert.NotNull(services.GetRequiredService<MissedEventSweep>());
        Assert.NotNull(services.GetRequiredService<AccountRegistration>());
        Assert.NotNull(services.GetRequiredService<EntitlementsOverview>());
        Assert.NotNull(services.GetRequiredService<UsageRecording>());
        Assert.NotNull(services.GetRequiredService<UsageThresholds>());
        Assert.NotNull(services.GetRequiredService<Allocations>());
        Assert.NotNull(services.GetRequiredService<UsageReport>());
        Assert.NotNull(services.GetRequiredService<InvoicingSweep>());
        Assert.NotNull(services.GetRequiredService<InvoiceAccount>());
        Assert.NotNull(services.GetRequiredService<AccountInvoices>());
        Assert.Equal(10, services.GetRequiredService<IOptions<InvoicingOptions>>().Value.LookbackDays);
        Assert.Equal(6, services.GetServices<IStripeEventTypeHandler>().Count());
        Assert.IsType<Billing.Application.Credits.PurchaseCompletedHandler>(Assert.Single(services.GetServices<ICheckoutPaymentHandler>()));
        Assert.False(services.GetRequiredService<IOptions<StripeModeOptions>>().Value.LiveMode); // the key's mode, not a setting
        var sweep = services.GetRequiredService<IOptions<MissedEventSweepOptions>>().Value;
        Assert.Equal((25, TimeSpan.FromMinutes(3), 8), (sweep.BatchSize, sweep.TimeBudget, sweep.Parallelism));
        Assert.Equal(TimeSpan.FromSeconds(2), services.GetRequiredService<IOptions<SubscriptionSyncOptions>>().Value.ClockSkew);
        var usage = services.GetRequiredService<IOptions<UsageOptions>>().Value;
        Assert.Equal(TimeSpan.FromHours(2), usage.LateWindow);
        Assert.Equal([50, 90], usage.EffectiveThresholds);
        Assert.Equal("PRO", services.GetRequiredService<Domain.Plans.PlanCatalog>().Find(Domain.Plans.PlanCode.Parse("PRO"))?.Code.Value);
    }

    [Fact]
    public async Task The_event_recovery_lists_from_Stripe_exactly_the_event_types_the_registered_handlers_apply()
    {
        using var services = Build(new Dictionary<string, string?>());
        var handled = services.GetServices<IStripeEventTypeHandler>().SelectMany(h => h.EventTypes).Order(StringComparer.Ordinal);

        var outcome = await services.GetRequiredService<StripeEventRecovery>().RecoverAsync(new StripeEventRecoveryRequest(null, IncludeDelivered: false, DryRun: true), CancellationToken.None);

        Assert.IsType<Succeeded<StripeEventRecoveryReport>>(outcome);
        var listings = services.GetRequiredService<FakeStripeEventSource>().Listings;
        Assert.NotEmpty(listings);
        Assert.All(listings, listing => Assert.Equal(handled, listing.Types.Order(StringComparer.Ordinal)));
    }

    [Fact]
    public void The_last_delivery_of_a_queue_message_follows_the_hosts_max_dequeue_count_and_its_app_setting_override()
    {
        using var defaults = Build(new Dictionary<string, string?>());
        using var overridden = Build(new Dictionary<string, string?> { ["AzureFunctionsJobHost:extensions:queues:maxDequeueCount"] = "3" });
        using var invalid = Build(new Dictionary<string, string?> { ["AzureFunctionsJobHost:extensions:queues:maxDequeueCount"] = "0" });

        var host = defaults.GetRequiredService<IOptions<QueueDeliveryOptions>>().Value;
        Assert.Equal((false, true), (host.IsLastDelivery(4), host.IsLastDelivery(5))); // host.json's 5
        var three = overridden.GetRequiredService<IOptions<QueueDeliveryOptions>>().Value;
        Assert.Equal((false, true), (three.IsLastDelivery(2), three.IsLastDelivery(3)));
        var error = Assert.Throws<OptionsValidationException>(() => invalid.GetRequiredService<IOptions<QueueDeliveryOptions>>().Value);
        Assert.Contains("AzureFunctionsJobHost__extensions__queues__maxDequeueCount", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_settings_are_reported_when_the_options_are_read()
    {
        using var services = Build(new Dictionary<string, string?> { ["Billing:MissedEventSweep:BatchSize"] = "0" });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<MissedEventSweepOptions>>().Value);
        Assert.Contains("BatchSize", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-00:00:01")]
    [InlineData("00:01:00.001")]
    public void A_clock_skew_below_zero_or_above_a_minute_is_reported_when_the_options_are_read(string clockSkew)
    {
        using var services = Build(new Dictionary<string, string?> { ["Billing:SubscriptionSync:ClockSkew"] = clockSkew });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<SubscriptionSyncOptions>>().Value);
        Assert.Contains("Billing:SubscriptionSync:ClockSkew must be between 00:00:00 and 00:01:00", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_usage_settings_are_reported_when_the_options_are_read()
    {
        using var services = Build(new Dictionary<string, string?> { ["Billing:Usage:Thresholds:0"] = "120" });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<UsageOptions>>().Value);
        Assert.Contains("Billing:Usage:Thresholds", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Injected_invoicing_faults_are_refused_unless_the_host_allows_them()
    {
        using var services = Build(new Dictionary<string, string?> { ["Billing:Invoicing:FailOnceAt:0"] = "DraftCreated" });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<InvoicingOptions>>().Value);
        Assert.Contains("Billing:Invoicing:FailOnceAt", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Overage:Tiers:0:FlatAmout", "500", "FlatAmout")] // a misspelt flat fee: the tier would charge none
    [InlineData("Overage:TiersMode", "volume", "TiersMode")] // Stripe's volume tiers, which the catalog does not have: priced graduated
    public void A_catalog_key_the_app_does_not_know_fails_start_up_naming_it_rather_than_pricing_without_it(string key, string value, string named)
    {
        using var services = Build(new Dictionary<string, string?>
        {
            ["Billing:Catalog:Plans:1:Currency"] = "usd",
            ["Billing:Catalog:Plans:1:Meters:agent_runs:Quota"] = "100",
            ["Billing:Catalog:Plans:1:Meters:agent_runs:Enforcement"] = "Overage",
            ["Billing:Catalog:Plans:1:Meters:agent_runs:Overage:Tiers:0:UpTo"] = "10",
            ["Billing:Catalog:Plans:1:Meters:agent_runs:Overage:Tiers:0:UnitAmount"] = "2",
            ["Billing:Catalog:Plans:1:Meters:agent_runs:Overage:Tiers:1:UnitAmount"] = "1",
            ["Billing:Catalog:Plans:1:Meters:agent_runs:" + key] = value,
        });

        var error = Assert.ThrowsAny<Exception>(() => services.GetRequiredService<IOptions<PlanCatalogOptions>>().Value);
        Assert.Contains($"Billing:Catalog:Plans:1:Meters:agent_runs:{key}: not a catalog setting", Assert.IsType<OptionsValidationException>(error).Message, StringComparison.Ordinal);
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(CatalogSettings())
            .AddInMemoryCollection(settings)
            .Build();
        var time = new FakeTimeProvider(AccountsTestBed.Start);
        var accounts = new InMemoryBillingAccountStore(time);
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<TimeProvider>(time)
            .AddSingleton<IBillingAccountStore>(accounts)
            .AddSingleton<IAccountRenewalQuery>(accounts)
            .AddSingleton<IMissedEventSweepPositionStore>(new InMemoryMissedEventSweepPositionStore(time))
            .AddSingleton<IInvoicingSweepMarkStore>(new InMemoryInvoicingSweepMarkStore(time))
            .AddSingleton<IStripeCustomerLinks, InMemoryStripeCustomerLinks>()
            .AddSingleton<IUsageLedger, InMemoryUsageLedger>()
            .AddSingleton<IAllocationLedger, InMemoryAllocationLedger>()
            .AddSingleton<IBillingNotifications, RecordingBillingNotifications>()
            .AddSingleton<IStripeEventStore>(new InMemoryStripeEventStore(time))
            .AddSingleton<IStripeEventQueueWriter, InMemoryStripeEventQueue>()
            .AddSingleton<IStripeBillingGateway, FakeStripeBillingGateway>()
            .AddSingleton<IInvoiceRunStore, InMemoryInvoiceRunStore>()
            .AddSingleton<Billing.Application.Credits.ICreditLedgerStore, InMemoryCreditLedgerStore>()
            .AddSingleton<IStripeInvoicing, FakeStripeInvoicing>()
            .AddSingleton<IStripePrices, FakeStripePrices>()
            .AddSingleton<IInvoiceJobs, RecordingInvoiceJobs>()
            .AddSingleton<Billing.Application.Admin.IAccountDirectory, InMemoryAccountDirectory>()
            .AddSingleton<Billing.Application.Admin.IInvoiceDirectory, EmptyInvoiceDirectory>()
            .AddSingleton<Billing.Application.Admin.IStripeEventHistory, InMemoryStripeEventHistory>()
            .AddSingleton(new FakeStripe(time))
            .AddSingleton<IStripeSubscriptionSource>(sp => sp.GetRequiredService<FakeStripe>())
            .AddSingleton<IStripeEventPayloadReader>(sp => sp.GetRequiredService<FakeStripe>())
            .AddSingleton<FakeStripeEventSource>()
            .AddSingleton<IStripeEventSource>(sp => sp.GetRequiredService<FakeStripeEventSource>())
            .AddBillingApplication(configuration);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    private static Dictionary<string, string?> CatalogSettings() => new()
    {
        ["Billing:Catalog:Meters:0"] = "agent_runs",
        ["Billing:Catalog:Plans:0:Code"] = "FREE",
        ["Billing:Catalog:Plans:0:DisplayName"] = "Free",
        ["Billing:Catalog:Plans:0:Kind"] = "Free",
        ["Billing:Catalog:Plans:0:Meters:agent_runs:Quota"] = "10",
        ["Billing:Catalog:Plans:1:Code"] = "PRO",
        ["Billing:Catalog:Plans:1:DisplayName"] = "Pro",
        ["Billing:Catalog:Plans:1:Prices:Month"] = "price_pro_month",
        ["Billing:Catalog:Plans:1:Meters:agent_runs:Quota"] = "0",
        ["Billing:Redirects:AllowedOrigins:0"] = AccountsTestBed.AllowedOrigin,
        ["Billing:Checkout:SuccessUrl"] = AccountsTestBed.DefaultSuccessUrl,
        ["Billing:Checkout:CancelUrl"] = AccountsTestBed.DefaultCancelUrl,
        ["Billing:Portal:ReturnUrl"] = AccountsTestBed.DefaultReturnUrl,
    };
}
