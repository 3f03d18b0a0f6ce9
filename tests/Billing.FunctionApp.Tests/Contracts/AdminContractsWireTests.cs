using Billing.Application.Admin;
using Billing.Application.Invoicing;
using Billing.Application.Subscriptions;
using Billing.Application.Usage;
using Billing.Domain.Accounts;
using Billing.Domain.Entitlements;
using Billing.Domain.Invoicing;
using Billing.Domain.Metering;
using Billing.Domain.Plans;
using Billing.Domain.Pricing;
using Billing.Domain.Subscriptions;
using Billing.FunctionApp.Admin;
using Billing.TestSupport;
using static Billing.FunctionApp.Tests.Contracts.ContractJson;

namespace Billing.FunctionApp.Tests.Contracts;

/// <summary>The operator views and invoicing runs (docs/api.md, "Operator views", "Operator: invoicing runs") on the wire.</summary>
public sealed class AdminContractsWireTests
{
    private static readonly PlanCatalog Catalog = TestCatalog.Create();
    private static readonly Currency Usd = Currency.Parse("usd");
    private static readonly DateTimeOffset PeriodStart = new(2026, 11, 10, 10, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset PeriodEnd = new(2026, 12, 10, 10, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset AsOf = new(2026, 11, 21, 10, 0, 0, TimeSpan.Zero);

    private static Entitlement GracePeriod => new()
    {
        Plan = Catalog.Get(PlanCode.Parse("PRO")),
        Source = EntitlementSource.GracePeriod,
        Period = UsagePeriod.SubscriptionPeriod(PeriodStart, PeriodEnd),
        EndsAt = AsOf.AddDays(3),
    };

    private static UsagePeriodReport Usage => new(
        UsagePeriod.SubscriptionPeriod(PeriodStart, PeriodEnd),
        Catalog.Get(PlanCode.Parse("PRO")),
        [new MeterUsage { Meter = MeterName.Parse("agent_runs"), Used = 1250, Quota = 1000, Enforcement = MeterEnforcement.Overage, Remaining = 0, OverageUnits = 250, OverageCharge = new Money(750, Usd) }]);

    private const string UsageJson = """
        { "start": "2026-11-10T10:00:00+00:00", "end": "2026-12-10T10:00:00+00:00", "plan": { "code": "PRO", "displayName": "Pro", "kind": "paid" },
          "meters": [ { "meter": "agent_runs", "used": 1250, "limit": 1000, "enforcement": "overage", "remaining": 0, "overageUnits": 250, "overageCharge": { "amount": 750, "currency": "usd" } } ],
          "overageTotal": [ { "amount": 750, "currency": "usd" } ] }
        """;

    private static AccountSummary Summary => new()
    {
        AccountId = AccountId.Parse("user-42"),
        Plan = PlanCode.Parse("PRO"),
        Status = "past_due",
        StripeCustomerId = "cus_Q1w2e3",
        AccountVersion = 7,
        CreatedAt = AsOf.AddDays(-60),
        UpdatedAt = AsOf.AddDays(-1),
    };

    private static AdminCredits Credits => new(true, new AccountCredits(
        [new Money(700, Usd)],
        [
            new CreditLedgerLine("adjustment", new Money(-300, Usd), AsOf.AddHours(-2)) { Reason = "goodwill reversal", Actor = "ops-1" },
            new CreditLedgerLine("grant", new Money(1000, Usd), AsOf.AddDays(-5)) { ExpiresAt = AsOf.AddDays(360) },
        ]), null);

    [Fact]
    public async Task The_account_listing_answers_each_row_with_its_entitlement_usage_and_credit_and_a_null_cursor_on_the_last_page()
    {
        var page = new AdminAccountPage([new AdminAccountRow(Summary, GracePeriod, Usage, Credits with { Credits = new AccountCredits([new Money(700, Usd)], []) })], null, AsOf);

        await AssertWireAsync($$"""
            { "accounts": [ {
                "accountId": "user-42", "plan": "PRO", "status": "past_due", "stripeCustomerId": "cus_Q1w2e3",
                "entitlement": { "planCode": "PRO", "source": "gracePeriod", "periodKey": "sub-20261110T100000Z",
                                 "periodStart": "2026-11-10T10:00:00+00:00", "periodEnd": "2026-12-10T10:00:00+00:00", "endsAt": "2026-11-24T10:00:00+00:00" },
                "usage": {{UsageJson}},
                "credits": { "available": true, "reason": null, "balance": [ { "amount": 700, "currency": "usd" } ], "entries": [] } } ],
              "nextCursor": null, "asOf": "2026-11-21T10:00:00+00:00" }
            """, AdminAccountsResponse.From(page));
    }

    [Fact]
    public async Task A_page_of_accounts_before_the_last_hands_out_its_cursor()
    {
        var json = await WireAsync(AdminAccountsResponse.From(new AdminAccountPage([], "YWNjb3VudHN8dXNlci00Mw", AsOf)));

        Equal("""{ "accounts": [], "nextCursor": "YWNjb3VudHN8dXNlci00Mw", "asOf": "2026-11-21T10:00:00+00:00" }""", json);
    }

    [Fact]
    public async Task A_ledger_that_stayed_contended_is_answered_unavailable_with_its_reason_and_nothing_else()
    {
        var json = await WireAsync(AdminCreditsResponse.From(new AdminCredits(false, null, "The ledger kept changing.")));

        Equal("""{ "available": false, "reason": "The ledger kept changing.", "balance": [], "entries": [] }""", json);
    }

    [Theory]
    [InlineData(EntitlementSource.Free, "free")]
    [InlineData(EntitlementSource.LocalTrial, "localTrial")]
    [InlineData(EntitlementSource.Subscription, "subscription")]
    [InlineData(EntitlementSource.GracePeriod, "gracePeriod")]
    public async Task The_operators_entitlement_source_is_the_same_camel_case_name_the_user_reads(EntitlementSource source, string expected)
    {
        var json = await WireAsync(AdminViewMapping.ToView(GracePeriod with { Source = source }));

        Assert.Equal(expected, json["source"]!.GetValue<string>());
    }

    [Fact]
    public async Task One_account_answers_its_stored_state_stripes_view_usage_invoices_credits_and_events()
    {
        var stored = new SubscriptionState
        {
            SubscriptionId = "sub_1",
            CustomerId = "cus_Q1w2e3",
            Status = SubscriptionStatus.PastDue,
            PlanCode = PlanCode.Parse("PRO"),
            PriceId = TestCatalog.ProMonthly,
            CurrentPeriodStart = PeriodStart,
            CurrentPeriodEnd = PeriodEnd,
            CancelAtPeriodEnd = true,
            CancelAt = PeriodEnd.AddDays(1),
            EndedAt = PeriodEnd.AddDays(2),
            PastDueSince = AsOf.AddDays(-4),
            StripeStateAsOf = AsOf.AddDays(-3),
        };
        var detail = new AdminAccountDetail
        {
            Account = new BillingAccount
            {
                Id = AccountId.Parse("user-42"),
                CreatedAt = AsOf.AddDays(-60),
                UpdatedAt = AsOf.AddDays(-1),
                Version = 7,
                StripeCustomerId = "cus_Q1w2e3",
                FormerStripeCustomerIds = ["cus_old"],
                TrialUsedAt = AsOf.AddDays(-50),
                LocalTrial = new LocalTrial { PlanCode = PlanCode.Parse("TRIAL"), StartedAt = AsOf.AddDays(-50), EndsAt = AsOf.AddDays(-43) },
                LastPaidPlan = PlanCode.Parse("BASIC"),
                Subscription = stored,
            },
            Summary = Summary,
            Entitlement = GracePeriod,
            Stripe = new StripeSubscriptionsNow(true, true,
                [new SubscriptionSnapshot
                {
                    SubscriptionId = "sub_1",
                    CustomerId = "cus_Q1w2e3",
                    Status = SubscriptionStatus.Unpaid,
                    PriceId = "price_now",
                    CurrentPeriodStart = PeriodStart.AddMinutes(1),
                    CurrentPeriodEnd = PeriodEnd.AddMinutes(1),
                    CancelAtPeriodEnd = true,
                    CancelAt = PeriodEnd.AddMinutes(2),
                    EndedAt = PeriodEnd.AddMinutes(3),
                    TrialEnd = PeriodStart.AddMinutes(-1),
                    AsOf = AsOf.AddSeconds(-1),
                }],
                null),
            CurrentUsage = Usage,
            Usage = [Usage],
            Invoices = [InvoiceAndCreditContractsWireTests.Run()],
            Credits = Credits,
            Events =
            [
                new AccountStripeEvent { EventId = "evt_2", Type = "invoice.payment_failed", Status = "ignored", Created = AsOf.AddDays(-4), ReceivedAt = AsOf.AddDays(-4).AddSeconds(2), CompletedAt = AsOf.AddDays(-4).AddSeconds(3), Attempts = 2, Note = "A usage invoice changes no account; its run follows it." },
                new AccountStripeEvent { EventId = "evt_1", Type = "customer.subscription.updated", Status = "received", Created = AsOf.AddDays(-5), ReceivedAt = AsOf.AddDays(-5).AddSeconds(1) },
            ],
            AsOf = AsOf,
        };

        await AssertWireAsync($$"""
            { "accountId": "user-42", "asOf": "2026-11-21T10:00:00+00:00", "plan": "PRO", "status": "past_due",
              "account": { "createdAt": "2026-09-22T10:00:00+00:00", "updatedAt": "2026-11-20T10:00:00+00:00", "version": 7, "stripeCustomerId": "cus_Q1w2e3",
                           "formerStripeCustomerIds": ["cus_old"], "trialUsedAt": "2026-10-02T10:00:00+00:00",
                           "localTrial": { "plan": "TRIAL", "startedAt": "2026-10-02T10:00:00+00:00", "endsAt": "2026-10-09T10:00:00+00:00" }, "lastPaidPlan": "BASIC" },
              "subscription": { "subscriptionId": "sub_1", "status": "past_due", "planCode": "PRO", "priceId": "price_pro_month",
                                "currentPeriodStart": "2026-11-10T10:00:00+00:00", "currentPeriodEnd": "2026-12-10T10:00:00+00:00", "cancelAtPeriodEnd": true,
                                "cancelAt": "2026-12-11T10:00:00+00:00", "endedAt": "2026-12-12T10:00:00+00:00", "pastDueSince": "2026-11-17T10:00:00+00:00",
                                "stripeStateAsOf": "2026-11-18T10:00:00+00:00" },
              "stripe": { "asked": true, "reachable": true, "error": null, "subscriptions": [
                { "subscriptionId": "sub_1", "customerId": "cus_Q1w2e3", "status": "unpaid", "priceId": "price_now",
                  "currentPeriodStart": "2026-11-10T10:01:00+00:00", "currentPeriodEnd": "2026-12-10T10:01:00+00:00", "cancelAtPeriodEnd": true,
                  "cancelAt": "2026-12-10T10:02:00+00:00", "endedAt": "2026-12-10T10:03:00+00:00", "trialEnd": "2026-11-10T09:59:00+00:00",
                  "asOf": "2026-11-21T09:59:59+00:00" } ] },
              "entitlement": { "planCode": "PRO", "source": "gracePeriod", "periodKey": "sub-20261110T100000Z",
                               "periodStart": "2026-11-10T10:00:00+00:00", "periodEnd": "2026-12-10T10:00:00+00:00", "endsAt": "2026-11-24T10:00:00+00:00" },
              "currentUsage": {{UsageJson}},
              "usage": [ {{UsageJson}} ],
              "invoices": [ {
                "id": "in_1", "number": "0F3A2C-0001", "status": "open", "amount": 480, "creditApplied": 60,
                "stripeAmountDue": 700, "stripeAmountPaid": 30, "currency": "usd",
                "period": { "start": "2026-11-10T10:00:00+00:00", "end": "2026-12-10T10:00:00+00:00" }, "plan": "PRO", "plans": null,
                "hostedInvoiceUrl": "https://invoice.stripe.com/i/1",
                "lines": [
                  { "meter": "agent_runs", "description": "agent_runs: 250 beyond the 5,000 included", "used": 5250, "included": 5000, "overageUnits": 250, "amount": 500 },
                  { "meter": "tokens", "description": "tokens: 2 beyond the 10 included", "used": 12, "included": 10, "overageUnits": 2, "amount": 40 } ] } ],
              "credits": { "available": true, "reason": null, "balance": [ { "amount": 700, "currency": "usd" } ], "entries": [
                { "kind": "adjustment", "amount": -300, "currency": "usd", "at": "2026-11-21T08:00:00+00:00", "expiresAt": null, "reason": "goodwill reversal", "actor": "ops-1" },
                { "kind": "grant", "amount": 1000, "currency": "usd", "at": "2026-11-16T10:00:00+00:00", "expiresAt": "2027-11-16T10:00:00+00:00", "reason": null, "actor": null } ] },
              "events": [
                { "eventId": "evt_2", "type": "invoice.payment_failed", "status": "ignored", "created": "2026-11-17T10:00:00+00:00",
                  "receivedAt": "2026-11-17T10:00:02+00:00", "completedAt": "2026-11-17T10:00:03+00:00", "attempts": 2, "note": "A usage invoice changes no account; its run follows it." },
                { "eventId": "evt_1", "type": "customer.subscription.updated", "status": "received", "created": "2026-11-16T10:00:00+00:00",
                  "receivedAt": "2026-11-16T10:00:01+00:00", "completedAt": null, "attempts": 0, "note": null } ] }
            """, AdminAccountResponse.From(detail));
    }

    [Fact]
    public async Task When_stripe_could_not_be_asked_the_account_says_why_and_has_no_stored_subscription()
    {
        var json = await WireAsync(AdminAccountResponse.From(new AdminAccountDetail
        {
            Account = BillingAccount.Open(AccountId.Parse("user-7"), AsOf),
            Summary = Summary with { AccountId = AccountId.Parse("user-7"), Status = AccountSummary.NoSubscription, StripeCustomerId = null },
            Entitlement = GracePeriod with { Plan = Catalog.FreePlan, Source = EntitlementSource.Free, EndsAt = null },
            Stripe = new StripeSubscriptionsNow(true, false, [], "Stripe did not answer."),
            CurrentUsage = Usage,
            Usage = [],
            Invoices = [],
            Credits = Credits,
            Events = [],
            AsOf = AsOf,
        }));

        Assert.Null(json["subscription"]);
        Assert.True(json.AsObject().ContainsKey("subscription"));
        Equal("""{ "asked": true, "reachable": false, "error": "Stripe did not answer.", "subscriptions": [] }""", json["stripe"]);
        Equal("""{ "createdAt": "2026-11-21T10:00:00+00:00", "updatedAt": "2026-11-21T10:00:00+00:00", "version": 1, "stripeCustomerId": null, "formerStripeCustomerIds": [], "trialUsedAt": null, "localTrial": null, "lastPaidPlan": null }""", json["account"]);
        Assert.Equal("none", json["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_invoice_listing_names_each_invoices_account_and_period()
    {
        var json = await WireAsync(AdminInvoicesResponse.From(new AdminInvoicePage([InvoiceAndCreditContractsWireTests.Run("user-43")], "next")));

        Assert.Equal("next", json["nextCursor"]!.GetValue<string>());
        var row = json["invoices"]![0]!;
        Assert.Equal("user-43", row["accountId"]!.GetValue<string>());
        Assert.Equal("sub-20261110T100000Z", row["periodKey"]!.GetValue<string>());
        Assert.Equal("in_1", row["invoice"]!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_invoice_run_shows_its_step_stripes_invoice_the_credit_and_what_it_bills()
    {
        var run = InvoiceAndCreditContractsWireTests.Run() with { Step = InvoiceRunStep.CoveredByCredit, CollectionPause = CollectionPauseBehavior.MarkUncollectible, Plans = "BASIC then PRO" };

        await AssertWireAsync("""
            { "runId": "user-42:sub-20261110T100000Z", "accountId": "user-42", "periodKey": "sub-20261110T100000Z",
              "periodStart": "2026-11-10T10:00:00+00:00", "periodEnd": "2026-12-10T10:00:00+00:00", "step": "coveredByCredit",
              "plan": "PRO", "plans": "BASIC then PRO", "currency": "usd", "total": 540, "creditApplied": 60, "amountDue": 480,
              "stripeInvoiceId": "in_1", "number": "0F3A2C-0001", "status": "open", "collectionPause": "markUncollectible",
              "hostedInvoiceUrl": "https://invoice.stripe.com/i/1", "attempts": 2, "updatedAt": "2026-12-11T03:00:00+00:00",
              "lines": [
                { "meter": "agent_runs", "description": "agent_runs: 250 beyond the 5,000 included", "used": 5250, "included": 5000, "overageUnits": 250, "amount": 500, "stripeItemId": "ii_1" },
                { "meter": "tokens", "description": "tokens: 2 beyond the 10 included", "used": 12, "included": 10, "overageUnits": 2, "amount": 40, "stripeItemId": null } ] }
            """, InvoiceRunView.From(run));
        var changed = await WireAsync(InvoiceRunView.From(run with { StripeTotal = 999, CollectionPause = null }));
        Assert.Equal(999, changed["amountDue"]!.GetValue<long>());
        Assert.Equal(540, changed["total"]!.GetValue<long>());
        Assert.Null(changed["collectionPause"]);
    }

    [Theory]
    [InlineData(InvoiceRunStep.Computed, "computed")]
    [InlineData(InvoiceRunStep.CreditApplied, "creditApplied")]
    [InlineData(InvoiceRunStep.DraftCreated, "draftCreated")]
    [InlineData(InvoiceRunStep.ItemsCreated, "itemsCreated")]
    [InlineData(InvoiceRunStep.Finalized, "finalized")]
    [InlineData(InvoiceRunStep.Recorded, "recorded")]
    [InlineData(InvoiceRunStep.NothingToBill, "nothingToBill")]
    [InlineData(InvoiceRunStep.CoveredByCredit, "coveredByCredit")]
    public async Task A_runs_step_is_its_camel_case_name(InvoiceRunStep step, string expected)
    {
        var json = await WireAsync(InvoiceRunView.From(InvoiceAndCreditContractsWireTests.Run() with { Step = step }));

        Assert.Equal(expected, json["step"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(CollectionPauseBehavior.KeepAsDraft, "keepAsDraft")]
    [InlineData(CollectionPauseBehavior.MarkUncollectible, "markUncollectible")]
    [InlineData(CollectionPauseBehavior.Void, "void")]
    public async Task A_paused_collection_is_its_camel_case_behaviour(CollectionPauseBehavior pause, string expected)
    {
        var json = await WireAsync(InvoiceRunView.From(InvoiceAndCreditContractsWireTests.Run() with { CollectionPause = pause }));

        Assert.Equal(expected, json["collectionPause"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_dry_run_prices_each_period_and_totals_per_currency_and_a_real_run_has_neither()
    {
        var first = new UsagePeriodEntry(AccountId.Parse("user-42"), UsagePeriodKey.ForSubscriptionPeriod(PeriodStart), PeriodStart, PeriodEnd);
        var second = new UsagePeriodEntry(AccountId.Parse("user-43"), UsagePeriodKey.ForCalendarMonth(2026, 11), new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
        var eur = Currency.Parse("eur");
        var charges = new List<PeriodCharges>
        {
            new(first.AccountId, UsagePeriod.SubscriptionPeriod(PeriodStart, PeriodEnd), PlanCode.Parse("PRO"), Usd, [new MeterCharge(MeterName.Parse("agent_runs"), 1100, 1000, 100, new Money(300, Usd))]) { Plans = "BASIC then PRO" },
            new(second.AccountId, UsagePeriod.CalendarMonth(second.PeriodStart), PlanCode.Parse("PRO"), eur, []),
            new(AccountId.Parse("user-44"), UsagePeriod.CalendarMonth(second.PeriodStart), PlanCode.Parse("PRO"), Usd, [new MeterCharge(MeterName.Parse("tokens"), 12, 10, 2, new Money(40, Usd))]),
        };
        var month = BillingMonth.Of(PeriodEnd.AddDays(-20));
        var startedAt = new DateTimeOffset(2026, 12, 2, 8, 0, 0, TimeSpan.Zero);

        await AssertWireAsync("""
            { "period": "2026-11", "dryRun": true, "startedAt": "2026-12-02T08:00:00+00:00",
              "queued": [
                { "runId": "user-42:sub-20261110T100000Z", "accountId": "user-42", "periodKey": "sub-20261110T100000Z", "periodStart": "2026-11-10T10:00:00+00:00", "periodEnd": "2026-12-10T10:00:00+00:00" },
                { "runId": "user-43:month-2026-11", "accountId": "user-43", "periodKey": "month-2026-11", "periodStart": "2026-11-01T00:00:00+00:00", "periodEnd": "2026-12-01T00:00:00+00:00" } ],
              "notClosedYet": 3,
              "charges": [
                { "runId": "user-42:sub-20261110T100000Z", "accountId": "user-42", "plan": "PRO", "plans": "BASIC then PRO", "currency": "usd", "total": 300, "nothingToBill": false,
                  "lines": [ { "meter": "agent_runs", "description": "agent_runs: 100 beyond the 1,000 included (1,100 used), 10 Nov 2026 – 10 Dec 2026", "used": 1100, "included": 1000, "overageUnits": 100, "amount": 300, "stripeItemId": null } ] },
                { "runId": "user-43:month-2026-11", "accountId": "user-43", "plan": "PRO", "plans": null, "currency": "eur", "total": 0, "nothingToBill": true, "lines": [] },
                { "runId": "user-44:month-2026-11", "accountId": "user-44", "plan": "PRO", "plans": null, "currency": "usd", "total": 40, "nothingToBill": false,
                  "lines": [ { "meter": "tokens", "description": "tokens: 2 beyond the 10 included (12 used), 1 Nov 2026 – 30 Nov 2026", "used": 12, "included": 10, "overageUnits": 2, "amount": 40, "stripeItemId": null } ] } ],
              "totals": { "eur": 0, "usd": 340 } }
            """, InvoiceRunStartResponse.From(new InvoicingRunStarted(month, true, startedAt, [first, second], 3, charges)));
        await AssertWireAsync("""
            { "period": "2026-11", "dryRun": false, "startedAt": "2026-12-02T08:00:00+00:00",
              "queued": [ { "runId": "user-42:sub-20261110T100000Z", "accountId": "user-42", "periodKey": "sub-20261110T100000Z", "periodStart": "2026-11-10T10:00:00+00:00", "periodEnd": "2026-12-10T10:00:00+00:00" } ],
              "notClosedYet": 0, "charges": null, "totals": null }
            """, InvoiceRunStartResponse.From(new InvoicingRunStarted(month, false, startedAt, [first], 0, [])));
    }

    [Fact]
    public async Task A_backfill_answers_what_it_read_found_and_wrote_and_whether_the_month_is_complete()
    {
        var month = BillingMonth.Of(PeriodEnd.AddDays(-20));

        await AssertWireAsync(
            """{ "period": "2026-11", "periodsRead": 30, "runsFound": 12, "entriesWritten": 4, "complete": true, "completedAt": "2026-12-02T08:00:00+00:00" }""",
            RunIndexBackfillResponse.From(new RunIndexBackfilled(month, 30, 12, 4, new DateTimeOffset(2026, 12, 2, 8, 0, 0, TimeSpan.Zero))));
        await AssertWireAsync(
            """{ "period": "2026-11", "periodsRead": 30, "runsFound": 12, "entriesWritten": 0, "complete": false, "completedAt": null }""",
            RunIndexBackfillResponse.From(new RunIndexBackfilled(month, 30, 12, 0, null)));
    }
}
