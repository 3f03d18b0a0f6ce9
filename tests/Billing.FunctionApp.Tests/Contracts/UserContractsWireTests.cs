using Billing.Application.Catalog;
using Billing.Application.Checkout;
using Billing.Application.Entitlements;
using Billing.Application.Payments;
using Billing.Application.Subscriptions;
using Billing.Application.Trials;
using Billing.Application.Usage;
using Billing.Domain.Accounts;
using Billing.Domain.Credits;
using Billing.Domain.Entitlements;
using Billing.Domain.Metering;
using Billing.Domain.Plans;
using Billing.Domain.Plans.Configuration;
using Billing.Domain.Pricing;
using Billing.Domain.Subscriptions;
using Billing.FunctionApp.Api.Contracts;
using Billing.TestSupport;
using static Billing.FunctionApp.Tests.Contracts.ContractJson;

namespace Billing.FunctionApp.Tests.Contracts;

/// <summary>
/// What the billing page reads (docs/api.md, the user endpoints): each application result mapped to its contract and
/// written as the host writes it. Every instant is distinct, so no two fields can trade places unseen.
/// </summary>
public sealed class UserContractsWireTests
{
    private static readonly PlanCatalogOptions Options = TestCatalog.Options();
    private static readonly PlanCatalog Catalog = PlanCatalog.Create(Options);
    private static readonly Currency Usd = Currency.Parse("usd");
    private static readonly DateTimeOffset PeriodStart = new(2026, 11, 10, 10, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset PeriodEnd = new(2026, 12, 10, 10, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset AsOf = new(2026, 11, 21, 15, 20, 0, TimeSpan.Zero);

    private static Plan PlanOf(string code) => Catalog.Get(PlanCode.Parse(code));

    [Fact]
    public async Task The_plan_catalog_lists_each_plan_with_its_prices_meters_and_features_and_what_else_is_on_sale()
    {
        var purchases = new PurchaseOptions
        {
            CreditPacks = { new CreditPackOptions { Code = "CREDITS_50", DisplayName = "Credit 50", PriceId = "price_credits_50", Amount = 5000, Currency = "usd", Credit = 5500, ExpiresAfter = TimeSpan.FromDays(365) } },
            AddOns =
            {
                new AddOnOptions { Code = "EXTRA_PROJECTS_5", DisplayName = "5 more projects", PriceId = "price_projects_5", Amount = 1500, Currency = "usd", Meter = "projects", Units = 5 },
                new AddOnOptions { Code = "EXTRA_RUNS_100", DisplayName = "100 more runs", PriceId = "price_runs_100", Amount = 700, Currency = "usd", Meter = "agent_runs", Units = 100, ExpiresAfter = TimeSpan.FromDays(30) },
            },
        };
        var offers = new PlanOffers(
            [.. Catalog.Plans.Select(plan => new PlanOffer(plan, plan.Code.Value switch
            {
                // Stripe's prices as read, in no particular order: the answer lists them by interval.
                "BASIC" => new Dictionary<BillingInterval, Money> { [BillingInterval.Year] = new(49_000, Usd), [BillingInterval.Month] = new(4_900, Usd) },
                "PRO" => new Dictionary<BillingInterval, Money> { [BillingInterval.Month] = new(9_900, Usd) },
                _ => new Dictionary<BillingInterval, Money>(),
            }))],
            PricesAvailable: true);

        var json = await WireAsync(offers.ToResponse(Catalog, PurchaseCatalog.Create(purchases, Options)));

        Equal("""
            {
              "plans": [
                { "code": "FREE", "displayName": "Free", "kind": "free", "trialDays": 0, "intervals": [], "prices": [], "currency": null,
                  "meters": [
                    { "meter": "agent_runs", "kind": "consumption", "quota": 10, "enforcement": "hardLimit", "overage": null },
                    { "meter": "tokens", "kind": "consumption", "quota": 1000, "enforcement": "hardLimit", "overage": null },
                    { "meter": "api_calls", "kind": "consumption", "quota": null, "enforcement": "hardLimit", "overage": null },
                    { "meter": "projects", "kind": "allocation", "quota": 1, "enforcement": "hardLimit", "overage": null } ],
                  "features": [] },
                { "code": "TRIAL", "displayName": "Trial", "kind": "trial", "trialDays": 7, "intervals": [], "prices": [], "currency": null,
                  "meters": [
                    { "meter": "agent_runs", "kind": "consumption", "quota": 100, "enforcement": "hardLimit", "overage": null },
                    { "meter": "tokens", "kind": "consumption", "quota": null, "enforcement": "hardLimit", "overage": null },
                    { "meter": "api_calls", "kind": "consumption", "quota": null, "enforcement": "hardLimit", "overage": null },
                    { "meter": "projects", "kind": "allocation", "quota": 3, "enforcement": "hardLimit", "overage": null } ],
                  "features": [] },
                { "code": "BASIC", "displayName": "Basic", "kind": "paid", "trialDays": 14, "intervals": ["month", "year"],
                  "prices": [ { "interval": "month", "amount": 4900, "currency": "usd" }, { "interval": "year", "amount": 49000, "currency": "usd" } ],
                  "currency": null,
                  "meters": [
                    { "meter": "agent_runs", "kind": "consumption", "quota": 500, "enforcement": "hardLimit", "overage": null },
                    { "meter": "tokens", "kind": "consumption", "quota": null, "enforcement": "hardLimit", "overage": null },
                    { "meter": "api_calls", "kind": "consumption", "quota": null, "enforcement": "hardLimit", "overage": null },
                    { "meter": "projects", "kind": "allocation", "quota": 5, "enforcement": "hardLimit", "overage": null } ],
                  "features": ["priority_support"] },
                { "code": "PRO", "displayName": "Pro", "kind": "paid", "trialDays": 0, "intervals": ["month"],
                  "prices": [ { "interval": "month", "amount": 9900, "currency": "usd" } ],
                  "currency": "usd",
                  "meters": [
                    { "meter": "agent_runs", "kind": "consumption", "quota": 1000, "enforcement": "overage", "overage": { "currency": "usd", "unitAmount": 3, "tiers": null } },
                    { "meter": "tokens", "kind": "consumption", "quota": 100000, "enforcement": "overage",
                      "overage": { "currency": "usd", "unitAmount": null, "tiers": [
                        { "upTo": 1000, "unitAmount": 2, "flatAmount": 0 },
                        { "upTo": 10000, "unitAmount": 1, "flatAmount": 100 },
                        { "upTo": null, "unitAmount": 0, "flatAmount": 500 } ] } },
                    { "meter": "api_calls", "kind": "consumption", "quota": null, "enforcement": "hardLimit", "overage": null },
                    { "meter": "projects", "kind": "allocation", "quota": 20, "enforcement": "hardLimit", "overage": null } ],
                  "features": ["priority_support", "sso"] }
              ],
              "pricesAvailable": true,
              "creditPacks": [
                { "code": "CREDITS_50", "displayName": "Credit 50", "price": { "amount": 5000, "currency": "usd" },
                  "credit": { "amount": 5500, "currency": "usd" }, "expiresAfterSeconds": 31536000 } ],
              "addOns": [
                { "code": "EXTRA_PROJECTS_5", "displayName": "5 more projects", "price": { "amount": 1500, "currency": "usd" },
                  "meter": "projects", "meterKind": "allocation", "units": 5, "expiresAfterSeconds": null },
                { "code": "EXTRA_RUNS_100", "displayName": "100 more runs", "price": { "amount": 700, "currency": "usd" },
                  "meter": "agent_runs", "meterKind": "consumption", "units": 100, "expiresAfterSeconds": 2592000 } ]
            }
            """, json);
    }

    [Fact]
    public async Task Plans_without_prices_read_say_so()
    {
        var offers = new PlanOffers([.. Catalog.Plans.Select(plan => new PlanOffer(plan, new Dictionary<BillingInterval, Money>()))], PricesAvailable: false);

        var json = await WireAsync(offers.ToResponse(Catalog, PurchaseCatalog.Create(new PurchaseOptions(), Options)));

        Assert.False(json["pricesAvailable"]!.GetValue<bool>());
        Equal("""["month", "year"]""", json["plans"]![2]!["intervals"]);
        Equal("[]", json["plans"]![2]!["prices"]);
    }

    [Fact]
    public async Task A_subscriber_who_cancelled_at_the_period_end_reads_the_plan_the_subscription_the_trial_and_the_usage()
    {
        var summary = new SubscriptionSummary
        {
            AccountId = AccountId.Parse("user-2"),
            AsOf = AsOf,
            Entitlement = new Entitlement
            {
                Plan = PlanOf("PRO"),
                Source = EntitlementSource.Subscription,
                Period = UsagePeriod.SubscriptionPeriod(PeriodStart, PeriodEnd),
                EndsAt = PeriodEnd.AddDays(-1),
            },
            Subscription = new SubscriptionState
            {
                SubscriptionId = "sub_1",
                CustomerId = "cus_1",
                Status = SubscriptionStatus.Active,
                PlanCode = PlanCode.Parse("PRO"),
                PriceId = TestCatalog.ProMonthly,
                Interval = BillingInterval.Month,
                CurrentPeriodStart = PeriodStart.AddMinutes(1),
                CurrentPeriodEnd = PeriodEnd.AddMinutes(1),
                CancelAtPeriodEnd = true,
                CancelAt = PeriodEnd.AddDays(-1),
                CanceledAt = AsOf.AddDays(-1),
                TrialStart = PeriodStart.AddDays(-14),
                TrialEnd = PeriodStart.AddMinutes(-1),
                StripeStateAsOf = AsOf.AddHours(-1),
            },
            LocalTrial = new LocalTrial { PlanCode = PlanCode.Parse("TRIAL"), StartedAt = PeriodStart.AddDays(-30), EndsAt = PeriodStart.AddDays(-23) },
            TrialUsedAt = PeriodStart.AddDays(-30),
            TrialAvailable = false,
            HasStripeCustomer = true,
            Usage =
            [
                new MeterUsage { Meter = MeterName.Parse("agent_runs"), Used = 1250, Quota = 1000, Enforcement = MeterEnforcement.Overage, Remaining = 0, OverageUnits = 250, OverageCharge = new Money(750, Usd) },
                new MeterUsage { Meter = MeterName.Parse("api_calls"), Used = 310, Quota = null, Enforcement = MeterEnforcement.HardLimit, Remaining = null },
            ],
        };

        await AssertWireAsync("""
            {
              "accountId": "user-2",
              "asOf": "2026-11-21T15:20:00+00:00",
              "plan": { "code": "PRO", "displayName": "Pro", "kind": "paid" },
              "source": "subscription",
              "planEndsAt": "2026-12-09T10:00:00+00:00",
              "status": "active",
              "cancelAtPeriodEnd": true,
              "period": { "start": "2026-11-10T10:00:00+00:00", "end": "2026-12-10T10:00:00+00:00" },
              "subscription": {
                "status": "active", "plan": "PRO", "interval": "month",
                "currentPeriodStart": "2026-11-10T10:01:00+00:00", "currentPeriodEnd": "2026-12-10T10:01:00+00:00",
                "cancelAtPeriodEnd": true, "cancelAt": "2026-12-09T10:00:00+00:00", "canceledAt": "2026-11-20T15:20:00+00:00", "endedAt": null,
                "trialStart": "2026-10-27T10:00:00+00:00", "trialEnd": "2026-11-10T09:59:00+00:00"
              },
              "trial": { "available": false, "usedAt": "2026-10-11T10:00:00+00:00",
                         "local": { "plan": "TRIAL", "startedAt": "2026-10-11T10:00:00+00:00", "endsAt": "2026-10-18T10:00:00+00:00", "running": false } },
              "portalAvailable": true,
              "usage": [
                { "meter": "agent_runs", "used": 1250, "limit": 1000, "enforcement": "overage", "remaining": 0, "overageUnits": 250, "overageCharge": { "amount": 750, "currency": "usd" } },
                { "meter": "api_calls", "used": 310, "limit": null, "enforcement": "hardLimit", "remaining": null, "overageUnits": 0, "overageCharge": null }
              ]
            }
            """, summary.ToResponse());
    }

    [Fact]
    public async Task A_new_user_reads_the_free_plan_with_nulls_where_there_is_nothing()
    {
        var summary = new SubscriptionSummary
        {
            AccountId = AccountId.Parse("user-1"),
            AsOf = AsOf,
            Entitlement = new Entitlement { Plan = PlanOf("FREE"), Source = EntitlementSource.Free, Period = UsagePeriod.CalendarMonth(AsOf) },
            TrialAvailable = true,
            HasStripeCustomer = false,
            Usage = [new MeterUsage { Meter = MeterName.Parse("agent_runs"), Used = 3, Quota = 10, Enforcement = MeterEnforcement.HardLimit, Remaining = 7 }],
        };

        await AssertWireAsync("""
            {
              "accountId": "user-1",
              "asOf": "2026-11-21T15:20:00+00:00",
              "plan": { "code": "FREE", "displayName": "Free", "kind": "free" },
              "source": "free",
              "planEndsAt": null,
              "status": null,
              "cancelAtPeriodEnd": false,
              "period": { "start": "2026-11-01T00:00:00+00:00", "end": "2026-12-01T00:00:00+00:00" },
              "subscription": null,
              "trial": { "available": true, "usedAt": null, "local": null },
              "portalAvailable": false,
              "usage": [ { "meter": "agent_runs", "used": 3, "limit": 10, "enforcement": "hardLimit", "remaining": 7, "overageUnits": 0, "overageCharge": null } ]
            }
            """, summary.ToResponse());
    }

    [Fact]
    public async Task A_running_local_trial_is_running_and_an_ended_subscription_set_to_cancel_no_longer_cancels()
    {
        var trialStart = AsOf.AddDays(-2);
        var summary = new SubscriptionSummary
        {
            AccountId = AccountId.Parse("user-3"),
            AsOf = AsOf,
            Entitlement = new Entitlement { Plan = PlanOf("TRIAL"), Source = EntitlementSource.LocalTrial, Period = UsagePeriod.LocalTrial(trialStart, trialStart.AddDays(7)), EndsAt = trialStart.AddDays(7) },
            Subscription = new SubscriptionState
            {
                SubscriptionId = "sub_old",
                CustomerId = "cus_3",
                Status = SubscriptionStatus.Canceled,
                CancelAtPeriodEnd = true,
                EndedAt = AsOf.AddDays(-10),
                StripeStateAsOf = AsOf.AddDays(-10),
            },
            LocalTrial = new LocalTrial { PlanCode = PlanCode.Parse("TRIAL"), StartedAt = trialStart, EndsAt = trialStart.AddDays(7) },
            TrialUsedAt = trialStart,
            TrialAvailable = false,
            HasStripeCustomer = true,
            Usage = [],
        };

        var json = await WireAsync(summary.ToResponse());

        Assert.Equal("localTrial", json["source"]!.GetValue<string>());
        Assert.Equal("canceled", json["status"]!.GetValue<string>());
        Assert.False(json["cancelAtPeriodEnd"]!.GetValue<bool>());
        Equal("""{ "plan": "TRIAL", "startedAt": "2026-11-19T15:20:00+00:00", "endsAt": "2026-11-26T15:20:00+00:00", "running": true }""", json["trial"]!["local"]);
        Equal("""
            { "status": "canceled", "plan": null, "interval": null, "currentPeriodStart": null, "currentPeriodEnd": null,
              "cancelAtPeriodEnd": true, "cancelAt": null, "canceledAt": null, "endedAt": "2026-11-11T15:20:00+00:00",
              "trialStart": null, "trialEnd": null }
            """, json["subscription"]);
    }

    [Fact]
    public async Task A_trial_taken_through_checkout_counts_as_used_without_a_local_trial()
    {
        var summary = new SubscriptionSummary
        {
            AccountId = AccountId.Parse("user-5"),
            AsOf = AsOf,
            Entitlement = new Entitlement { Plan = PlanOf("FREE"), Source = EntitlementSource.Free, Period = UsagePeriod.CalendarMonth(AsOf) },
            TrialUsedAt = PeriodStart,
            TrialAvailable = false,
            HasStripeCustomer = true,
            Usage = [],
        };

        var json = await WireAsync(summary.ToResponse());

        Equal("""{ "available": false, "usedAt": "2026-11-10T10:00:00+00:00", "local": null }""", json["trial"]);
        Assert.True(json["portalAvailable"]!.GetValue<bool>());
    }

    [Theory]
    [InlineData(EntitlementSource.Free, "free")]
    [InlineData(EntitlementSource.LocalTrial, "localTrial")]
    [InlineData(EntitlementSource.Subscription, "subscription")]
    [InlineData(EntitlementSource.GracePeriod, "gracePeriod")]
    public async Task The_source_of_the_plan_is_its_camel_case_name(EntitlementSource source, string expected)
    {
        var summary = new SubscriptionSummary
        {
            AccountId = AccountId.Parse("user-1"),
            AsOf = AsOf,
            Entitlement = new Entitlement { Plan = PlanOf("BASIC"), Source = source, Period = UsagePeriod.CalendarMonth(AsOf) },
            TrialAvailable = false,
            HasStripeCustomer = false,
            Usage = [],
        };

        var json = await WireAsync(summary.ToResponse());

        Assert.Equal(expected, json["source"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_usage_report_lists_each_period_with_its_plan_its_meters_and_the_overage_per_currency()
    {
        var report = new UsageReportResult(
            AccountId.Parse("user-3"),
            AsOf,
            "2026-11",
            [
                new UsagePeriodReport(UsagePeriod.CalendarMonth(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero)), PlanOf("FREE"),
                    [new MeterUsage { Meter = MeterName.Parse("agent_runs"), Used = 4, Quota = 10, Enforcement = MeterEnforcement.HardLimit, Remaining = 6 }]),
                new UsagePeriodReport(UsagePeriod.SubscriptionPeriod(PeriodStart, PeriodEnd), PlanOf("PRO"),
                [
                    new MeterUsage { Meter = MeterName.Parse("agent_runs"), Used = 1100, Quota = 1000, Enforcement = MeterEnforcement.Overage, Remaining = 0, OverageUnits = 100, OverageCharge = new Money(300, Usd) },
                    new MeterUsage { Meter = MeterName.Parse("tokens"), Used = 5, Quota = 100_000, Enforcement = MeterEnforcement.Overage, Remaining = 99_995, OverageCharge = new Money(0, Usd) },
                ]),
            ]);

        await AssertWireAsync("""
            {
              "accountId": "user-3",
              "asOf": "2026-11-21T15:20:00+00:00",
              "period": "2026-11",
              "periods": [
                { "start": "2026-11-01T00:00:00+00:00", "end": "2026-12-01T00:00:00+00:00",
                  "plan": { "code": "FREE", "displayName": "Free", "kind": "free" },
                  "meters": [ { "meter": "agent_runs", "used": 4, "limit": 10, "enforcement": "hardLimit", "remaining": 6, "overageUnits": 0, "overageCharge": null } ],
                  "overageTotal": [] },
                { "start": "2026-11-10T10:00:00+00:00", "end": "2026-12-10T10:00:00+00:00",
                  "plan": { "code": "PRO", "displayName": "Pro", "kind": "paid" },
                  "meters": [
                    { "meter": "agent_runs", "used": 1100, "limit": 1000, "enforcement": "overage", "remaining": 0, "overageUnits": 100, "overageCharge": { "amount": 300, "currency": "usd" } },
                    { "meter": "tokens", "used": 5, "limit": 100000, "enforcement": "overage", "remaining": 99995, "overageUnits": 0, "overageCharge": { "amount": 0, "currency": "usd" } } ],
                  "overageTotal": [ { "amount": 300, "currency": "usd" } ] }
              ]
            }
            """, report.ToResponse());
    }

    [Fact]
    public async Task Entitlements_list_the_meters_with_what_is_held_every_feature_and_the_add_ons_in_force()
    {
        var basic = PlanOf("BASIC");
        var entitlement = new Entitlement
        {
            Plan = basic,
            Source = EntitlementSource.Subscription,
            Period = UsagePeriod.SubscriptionPeriod(PeriodStart, PeriodEnd),
            EndsAt = PeriodEnd.AddHours(1),
            AddOns =
            [
                new MeterAddOn { GrantId = "cs:cs_test_b2", Code = "EXTRA_PROJECTS_5", Meter = MeterName.Parse("projects"), Units = 5, GrantedAt = AsOf.AddDays(-1), ExpiresAt = AsOf.AddDays(30) },
                new MeterAddOn { GrantId = "admin:7", Code = "EXTRA_RUNS_100", Meter = MeterName.Parse("agent_runs"), Units = 100, GrantedAt = AsOf.AddHours(-1) },
            ],
        };
        var view = new EntitlementsView(
            AccountId.Parse("user-4"),
            AsOf,
            entitlement,
            EntitlementReason.Subscription,
            [
                new MeterEntitlement(basic.PolicyFor(MeterName.Parse("agent_runs")), MeterKind.Consumption, null),
                new MeterEntitlement(basic.PolicyFor(MeterName.Parse("api_calls")), MeterKind.Consumption, null),
                new MeterEntitlement(basic.PolicyFor(MeterName.Parse("projects")), MeterKind.Allocation, 2),
            ],
            new Dictionary<FeatureName, bool> { [FeatureName.Parse("sso")] = false, [FeatureName.Parse("priority_support")] = true });

        await AssertWireAsync("""
            {
              "accountId": "user-4",
              "asOf": "2026-11-21T15:20:00+00:00",
              "plan": { "code": "BASIC", "displayName": "Basic", "kind": "paid" },
              "reason": "subscription",
              "endsAt": "2026-12-10T11:00:00+00:00",
              "period": { "start": "2026-11-10T10:00:00+00:00", "end": "2026-12-10T10:00:00+00:00" },
              "meters": [
                { "meter": "agent_runs", "kind": "consumption", "limit": 500, "enforcement": "hardLimit", "held": null },
                { "meter": "api_calls", "kind": "consumption", "limit": null, "enforcement": "hardLimit", "held": null },
                { "meter": "projects", "kind": "allocation", "limit": 5, "enforcement": "hardLimit", "held": 2 }
              ],
              "features": [ { "feature": "sso", "enabled": false }, { "feature": "priority_support", "enabled": true } ],
              "addOns": [
                { "code": "EXTRA_PROJECTS_5", "meter": "projects", "units": 5, "grantedAt": "2026-11-20T15:20:00+00:00", "expiresAt": "2026-12-21T15:20:00+00:00", "sessionId": "cs_test_b2" },
                { "code": "EXTRA_RUNS_100", "meter": "agent_runs", "units": 100, "grantedAt": "2026-11-21T14:20:00+00:00", "expiresAt": null, "sessionId": null }
              ]
            }
            """, view.ToResponse());
    }

    [Theory]
    [InlineData(EntitlementReason.Free, "free")]
    [InlineData(EntitlementReason.FreeFallback, "freeFallback")]
    [InlineData(EntitlementReason.LocalTrial, "localTrial")]
    [InlineData(EntitlementReason.SubscriptionTrial, "subscriptionTrial")]
    [InlineData(EntitlementReason.Subscription, "subscription")]
    [InlineData(EntitlementReason.GracePeriod, "gracePeriod")]
    public async Task The_entitlement_reason_is_its_camel_case_name(EntitlementReason reason, string expected)
    {
        var entitlement = new Entitlement { Plan = PlanOf("FREE"), Source = EntitlementSource.Free, Period = UsagePeriod.CalendarMonth(AsOf) };
        var view = new EntitlementsView(AccountId.Parse("user-1"), AsOf, entitlement, reason, [], new Dictionary<FeatureName, bool>());

        var json = await WireAsync(view.ToResponse());

        Assert.Equal(expected, json["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_started_checkout_names_its_session_url_plan_interval_and_trial()
    {
        var started = new StartedCheckout { SessionId = "cs_test_1", Url = new Uri("https://checkout.stripe.com/c/pay/cs_test_1"), Plan = PlanCode.Parse("BASIC"), Interval = BillingInterval.Year, PriceId = TestCatalog.BasicYearly, TrialDays = 14 };
        var noTrial = started with { Interval = BillingInterval.Month, TrialDays = null };

        await AssertWireAsync("""{ "sessionId": "cs_test_1", "url": "https://checkout.stripe.com/c/pay/cs_test_1", "plan": "BASIC", "interval": "year", "trialDays": 14 }""", started.ToResponse());
        await AssertWireAsync("""{ "sessionId": "cs_test_1", "url": "https://checkout.stripe.com/c/pay/cs_test_1", "plan": "BASIC", "interval": "month", "trialDays": null }""", noTrial.ToResponse());
    }

    [Fact]
    public async Task A_portal_session_is_its_url_and_a_started_trial_its_plan_and_window()
    {
        var trial = new StartedTrial { Plan = PlanOf("TRIAL"), StartedAt = AsOf, EndsAt = AsOf.AddDays(7) };

        await AssertWireAsync("""{ "url": "https://billing.stripe.com/p/session/bps_1" }""", new HostedPortalSession("bps_1", new Uri("https://billing.stripe.com/p/session/bps_1")).ToResponse());
        await AssertWireAsync("""{ "plan": "TRIAL", "startedAt": "2026-11-21T15:20:00+00:00", "endsAt": "2026-11-28T15:20:00+00:00" }""", trial.ToResponse());
    }
}
