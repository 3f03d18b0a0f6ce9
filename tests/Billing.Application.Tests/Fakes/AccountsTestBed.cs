using Billing.Application.Accounts;
using Billing.Application.Catalog;
using Billing.Application.Checkout;
using Billing.Application.Entitlements;
using Billing.Application.Portal;
using Billing.Application.Redirects;
using Billing.Application.Subscriptions;
using Billing.Application.Trials;
using Billing.Domain.Accounts;
using Billing.Domain.Plans;
using Billing.Domain.Pricing;
using Billing.Domain.Subscriptions;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Billing.TestSupport;

namespace Billing.Application.Tests.Fakes;

/// <summary>The account use cases wired to in-memory fakes, a manual clock and <see cref="TestCatalog"/>.</summary>
internal sealed class AccountsTestBed
{
    public const string AllowedOrigin = "https://app.example.com";
    public const string DefaultSuccessUrl = "https://app.example.com/billing/done?session={CHECKOUT_SESSION_ID}";
    public const string DefaultCancelUrl = "https://app.example.com/billing";
    public const string DefaultReturnUrl = "https://app.example.com/account";

    public static readonly DateTimeOffset Start = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);

    public AccountsTestBed(bool withTrialPlan = true)
    {
        Catalog = TestCatalog.Create(withTrialPlan);
        Time = new FakeTimeProvider(Start);
        Accounts = new InMemoryBillingAccountStore(Time);
        var redirectOptions = new RedirectOptions { AllowedOrigins = { AllowedOrigin } };
        Redirects = new RedirectUrlPolicy(Options.Create(redirectOptions));
        // Stripe sells every catalog price as the catalog names it (interval, and the plan's currency where it has one).
        var usd = Currency.Parse("usd");
        Prices.Prices[TestCatalog.BasicMonthly] = new StripePlanPrice(new Money(1_900, usd), BillingInterval.Month);
        Prices.Prices[TestCatalog.BasicYearly] = new StripePlanPrice(new Money(19_000, usd), BillingInterval.Year);
        Prices.Prices[TestCatalog.ProMonthly] = new StripePlanPrice(new Money(4_900, usd), BillingInterval.Month);
        Pricing = new PlanPricing(Catalog, Prices, Time, NullLogger<PlanPricing>.Instance);
        Provisioning = new StripeCustomerProvisioning(Accounts, Links, Gateway, NullLogger<StripeCustomerProvisioning>.Instance);
        Checkout = new CheckoutSessions(
            Catalog,
            Pricing,
            Accounts,
            Provisioning,
            Gateway,
            Redirects,
            Options.Create(new CheckoutOptions { SuccessUrl = DefaultSuccessUrl, CancelUrl = DefaultCancelUrl }),
            Time,
            NullLogger<CheckoutSessions>.Instance);
        Portal = new PortalSessions(Accounts, Gateway, Redirects, Options.Create(new PortalOptions { ReturnUrl = DefaultReturnUrl }));
        Trials = new LocalTrials(Catalog, Accounts, Gateway, Time, NullLogger<LocalTrials>.Instance);
        var entitlements = new AccountEntitlements(Accounts, Catalog, Options.Create(new EntitlementOptions()), Time);
        Overview = new SubscriptionOverview(Catalog, Accounts, Usage, entitlements, Time);
    }

    public PlanCatalog Catalog { get; }

    public FakeTimeProvider Time { get; }

    public InMemoryBillingAccountStore Accounts { get; }

    public InMemoryStripeCustomerLinks Links { get; } = new();

    public InMemoryUsageLedger Usage { get; } = new();

    public FakeStripeBillingGateway Gateway { get; } = new();

    /// <summary>Stripe's prices of the catalog, as <see cref="Pricing"/> reads them.</summary>
    public FakeStripePrices Prices { get; } = new();

    public PlanPricing Pricing { get; }

    public RedirectUrlPolicy Redirects { get; }

    public StripeCustomerProvisioning Provisioning { get; }

    public CheckoutSessions Checkout { get; }

    public PortalSessions Portal { get; }

    public LocalTrials Trials { get; }

    public SubscriptionOverview Overview { get; }

    public static AccountId NewAccountId() => AccountId.Parse("user-" + Guid.NewGuid().ToString("N")[..8]);

    /// <summary>Stores an account with a Stripe customer and, optionally, a subscription in the given state.</summary>
    public BillingAccount Seed(AccountId id, Func<BillingAccount, BillingAccount>? shape = null)
    {
        var account = BillingAccount.Open(id, Time.GetUtcNow());
        account = shape?.Invoke(account) ?? account;
        Accounts.Put(account);
        return account;
    }

    public static BillingAccount WithCustomer(BillingAccount account, string customerId = "cus_existing") =>
        account with { StripeCustomerId = customerId };

    public BillingAccount WithSubscription(BillingAccount account, SubscriptionStatus status, Func<SubscriptionSnapshot, SubscriptionSnapshot>? tweak = null)
    {
        var now = Time.GetUtcNow();
        var snapshot = new SubscriptionSnapshot
        {
            SubscriptionId = "sub_" + Guid.NewGuid().ToString("N")[..10],
            CustomerId = account.StripeCustomerId ?? "cus_existing",
            Status = status,
            PriceId = TestCatalog.BasicMonthly,
            Interval = BillingInterval.Month,
            CurrentPeriodStart = now.AddDays(-3),
            CurrentPeriodEnd = now.AddDays(27),
            AsOf = now,
        };
        var result = account.ApplySubscriptionSnapshot(tweak?.Invoke(snapshot) ?? snapshot, Catalog, TimeSpan.Zero);
        Assert.True(result.Changed, $"the seeded snapshot was not applied: {result.Outcome}");
        return result.Account;
    }
}
