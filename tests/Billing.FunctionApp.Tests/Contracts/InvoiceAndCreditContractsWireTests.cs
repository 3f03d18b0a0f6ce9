using Billing.Application.Credits;
using Billing.Application.Invoicing;
using Billing.Domain.Accounts;
using Billing.Domain.Credits;
using Billing.Domain.Invoicing;
using Billing.Domain.Metering;
using Billing.Domain.Plans;
using Billing.Domain.Pricing;
using Billing.FunctionApp.Api.Contracts;
using static Billing.FunctionApp.Tests.Contracts.ContractJson;

namespace Billing.FunctionApp.Tests.Contracts;

/// <summary>Usage invoices, the upcoming invoice, purchases and the credit ledger as docs/api.md documents them on the wire.</summary>
public sealed class InvoiceAndCreditContractsWireTests
{
    private static readonly Currency Usd = Currency.Parse("usd");
    private static readonly DateTimeOffset PeriodStart = new(2026, 11, 10, 10, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset PeriodEnd = new(2026, 12, 10, 10, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset AsOf = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    internal static InvoiceRun Run(string account = "user-42") => new()
    {
        AccountId = AccountId.Parse(account),
        PeriodKey = UsagePeriodKey.ForSubscriptionPeriod(PeriodStart),
        PeriodStart = PeriodStart,
        PeriodEnd = PeriodEnd,
        Plan = PlanCode.Parse("PRO"),
        Currency = Usd,
        Lines =
        [
            new InvoiceRunLine(MeterName.Parse("agent_runs"), 5250, 5000, 250, 500, "agent_runs: 250 beyond the 5,000 included") { StripeItemId = "ii_1" },
            new InvoiceRunLine(MeterName.Parse("tokens"), 12, 10, 2, 40, "tokens: 2 beyond the 10 included"),
        ],
        Step = InvoiceRunStep.Recorded,
        StripeCustomerId = "cus_1",
        StripeInvoiceId = "in_1",
        CreditApplied = 60,
        Number = "0F3A2C-0001",
        HostedInvoiceUrl = "https://invoice.stripe.com/i/1",
        Status = "open",
        StripeAmountDue = 700,
        StripeAmountPaid = 30,
        Attempts = 2,
        CreatedAt = PeriodEnd.AddHours(16),
        UpdatedAt = PeriodEnd.AddHours(17),
    };

    [Fact]
    public async Task A_usage_invoice_bills_its_lines_less_the_credit_applied_with_stripes_amounts_beside()
    {
        await AssertWireAsync("""
            { "invoices": [ {
                "id": "in_1", "number": "0F3A2C-0001", "status": "open", "amount": 480, "creditApplied": 60,
                "stripeAmountDue": 700, "stripeAmountPaid": 30, "currency": "usd",
                "period": { "start": "2026-11-10T10:00:00+00:00", "end": "2026-12-10T10:00:00+00:00" }, "plan": "PRO", "plans": null,
                "hostedInvoiceUrl": "https://invoice.stripe.com/i/1",
                "lines": [
                  { "meter": "agent_runs", "description": "agent_runs: 250 beyond the 5,000 included", "used": 5250, "included": 5000, "overageUnits": 250, "amount": 500 },
                  { "meter": "tokens", "description": "tokens: 2 beyond the 10 included", "used": 12, "included": 10, "overageUnits": 2, "amount": 40 } ] } ],
              "nextCursor": "next-page" }
            """, InvoicesResponse.From(new InvoicePage([Run()], "next-page")));
    }

    [Fact]
    public async Task A_draft_kept_while_collection_is_paused_reads_draft_and_an_invoice_changed_in_stripe_bills_stripes_total()
    {
        var draft = Run() with { Status = null, Number = null, HostedInvoiceUrl = null, StripeAmountDue = null, StripeAmountPaid = null, Plans = "PRO then ENTERPRISE" };
        var changed = Run() with { StripeTotal = 999 };

        var json = await WireAsync(InvoicesResponse.From(new InvoicePage([draft, changed], null)));

        Assert.Equal("draft", json["invoices"]![0]!["status"]!.GetValue<string>());
        Equal("""{ "number": null, "stripeAmountDue": null, "stripeAmountPaid": null, "hostedInvoiceUrl": null, "plans": "PRO then ENTERPRISE" }""", Pick(json["invoices"]![0]!, "number", "stripeAmountDue", "stripeAmountPaid", "hostedInvoiceUrl", "plans"));
        Assert.Equal(999, json["invoices"]![1]!["amount"]!.GetValue<long>());
        Assert.Null(json["nextCursor"]);
        Assert.True(json.AsObject().ContainsKey("nextCursor"), "nextCursor is null on the last page, not absent");
    }

    [Fact]
    public async Task The_upcoming_invoice_prices_the_period_so_far_and_the_credit_that_would_pay_part_of_it()
    {
        var charges = new PeriodCharges(
            AccountId.Parse("user-42"),
            UsagePeriod.SubscriptionPeriod(PeriodStart, PeriodEnd),
            PlanCode.Parse("ENTERPRISE"),
            Usd,
            [
                new MeterCharge(MeterName.Parse("agent_runs"), 5250, 5000, 250, new Money(500, Usd), "PRO then ENTERPRISE"),
                new MeterCharge(MeterName.Parse("tokens"), 30, 10, 20, new Money(70, Usd)),
            ])
        { Plans = "PRO then ENTERPRISE" };

        await AssertWireAsync("""
            { "period": { "start": "2026-11-10T10:00:00+00:00", "end": "2026-12-10T10:00:00+00:00" },
              "plan": "ENTERPRISE", "plans": "PRO then ENTERPRISE",
              "amount": 570, "creditApplicable": 200, "amountDue": 370, "currency": "usd",
              "lines": [
                { "meter": "agent_runs", "description": "agent_runs: 250 beyond the included amounts of PRO then ENTERPRISE (5,250 used), 10 Nov 2026 – 10 Dec 2026",
                  "used": 5250, "included": 5000, "overageUnits": 250, "amount": 500 },
                { "meter": "tokens", "description": "tokens: 20 beyond the 10 included (30 used), 10 Nov 2026 – 10 Dec 2026",
                  "used": 30, "included": 10, "overageUnits": 20, "amount": 70 } ] }
            """, UpcomingInvoiceResponse.From(new UpcomingInvoice(charges, 200)));
    }

    [Fact]
    public async Task A_started_purchase_names_its_session_what_it_sells_and_its_price()
    {
        var started = new StartedPurchase("cs_test_p", new Uri("http://127.0.0.1:12111/checkout/cs_test_p"), "credit_pack", "CREDITS_10", new Money(1000, Usd));

        await AssertWireAsync(
            """{ "sessionId": "cs_test_p", "url": "http://127.0.0.1:12111/checkout/cs_test_p", "purchase": "credit_pack", "code": "CREDITS_10", "amount": 1000, "currency": "usd" }""",
            PurchaseCheckoutResponse.From(started));
    }

    [Fact]
    public async Task The_credits_view_lists_balances_by_currency_grants_and_entries_without_the_operator_and_without_an_entrys_members_that_are_null_and_the_last_page_has_a_null_cursor()
    {
        var eur = Currency.Parse("eur");
        var view = new CreditsView(
            AccountId.Parse("user-42"),
            AsOf,
            new Dictionary<Currency, long> { [Usd] = 700, [eur] = 5 },
            [
                new CreditGrant { GrantId = "cs:cs_test_a1", Source = "pack:CREDITS_10", Currency = Usd, Amount = 1000, Remaining = 700, GrantedAt = AsOf.AddDays(-11), ExpiresAt = AsOf.AddDays(30) },
                new CreditGrant { GrantId = "adjust:k", Source = "adjustment", Currency = eur, Amount = 9, Remaining = 5, GrantedAt = AsOf.AddDays(-40), ExpiresAt = AsOf },
            ],
            [
                new CreditEntry { Key = "restore:spend:invoice:s", Sequence = 4, Kind = CreditEntryKind.Restore, Currency = Usd, Amount = 50, At = AsOf.AddMinutes(-30), Parts = [new CreditPart("cs:cs_test_a1", 50)], Reference = "user-42:sub-20261010T100000Z" },
                new CreditEntry { Key = "adjust:k2", Sequence = 3, Kind = CreditEntryKind.Adjustment, Currency = Usd, Amount = -100, At = AsOf.AddHours(-1), Parts = [new CreditPart("cs:cs_test_a1", -100)], Reason = "goodwill reversal", Operator = "ops-1" },
                new CreditEntry { Key = "spend:invoice:r", Sequence = 2, Kind = CreditEntryKind.Spend, Currency = Usd, Amount = -200, At = AsOf.AddHours(-8), Parts = [new CreditPart("cs:cs_test_a1", -200)], Reference = "user-42:month-2026-11" },
            ],
            null);

        await AssertWireAsync("""
            { "asOf": "2026-12-01T10:00:00+00:00",
              "balances": [ { "currency": "eur", "amount": 5 }, { "currency": "usd", "amount": 700 } ],
              "grants": [
                { "grantId": "cs:cs_test_a1", "source": "pack:CREDITS_10", "currency": "usd", "amount": 1000, "remaining": 700,
                  "grantedAt": "2026-11-20T10:00:00+00:00", "expiresAt": "2026-12-31T10:00:00+00:00", "expired": false },
                { "grantId": "adjust:k", "source": "adjustment", "currency": "eur", "amount": 9, "remaining": 5,
                  "grantedAt": "2026-10-22T10:00:00+00:00", "expiresAt": "2026-12-01T10:00:00+00:00", "expired": true } ],
              "entries": [
                { "sequence": 4, "kind": "restore", "currency": "usd", "amount": 50, "at": "2026-12-01T09:30:00+00:00",
                  "parts": [ { "grantId": "cs:cs_test_a1", "amount": 50 } ], "reference": "user-42:sub-20261010T100000Z",
                  "periodStart": "2026-10-10T10:00:00+00:00" },
                { "sequence": 3, "kind": "adjustment", "currency": "usd", "amount": -100, "at": "2026-12-01T09:00:00+00:00",
                  "parts": [ { "grantId": "cs:cs_test_a1", "amount": -100 } ], "reason": "goodwill reversal" },
                { "sequence": 2, "kind": "spend", "currency": "usd", "amount": -200, "at": "2026-12-01T02:00:00+00:00",
                  "parts": [ { "grantId": "cs:cs_test_a1", "amount": -200 } ], "reference": "user-42:month-2026-11",
                  "periodStart": "2026-11-01T00:00:00+00:00" } ],
              "nextCursor": null }
            """, CreditsResponse.From(view));
    }

    [Fact]
    public async Task A_next_page_of_the_ledger_has_its_cursor()
    {
        var view = new CreditsView(AccountId.Parse("user-42"), AsOf, new Dictionary<Currency, long>(), [], [], "cursor-2");

        var json = await WireAsync(CreditsResponse.From(view));

        Assert.Equal("cursor-2", json["nextCursor"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_operators_adjustment_answers_the_entry_with_the_operator_the_balance_and_whether_it_was_replayed()
    {
        var entry = new CreditEntry { Key = "adjust:ticket-881", Sequence = 3, Kind = CreditEntryKind.Adjustment, Currency = Usd, Amount = -300, At = AsOf, Parts = [new CreditPart("cs:cs_test_a1", -300)], Reason = "goodwill reversal", Operator = "ops-1" };

        await AssertWireAsync("""
            { "accountId": "user-42",
              "entry": { "sequence": 3, "kind": "adjustment", "currency": "usd", "amount": -300, "at": "2026-12-01T10:00:00+00:00",
                         "parts": [ { "grantId": "cs:cs_test_a1", "amount": -300 } ], "reason": "goodwill reversal", "operator": "ops-1" },
              "balance": 700, "replayed": true }
            """, CreditAdjustmentResponse.From("user-42", new CreditAdjusted(entry, 700, Replayed: true)));
    }

    [Theory]
    [InlineData(CreditEntryKind.Grant, "grant")]
    [InlineData(CreditEntryKind.Spend, "spend")]
    [InlineData(CreditEntryKind.Expiry, "expiry")]
    [InlineData(CreditEntryKind.Reversal, "reversal")]
    [InlineData(CreditEntryKind.Adjustment, "adjustment")]
    [InlineData(CreditEntryKind.Restore, "restore")]
    [InlineData(CreditEntryKind.Reinstatement, "reinstatement")]
    public async Task A_ledger_entrys_kind_is_its_lower_case_name(CreditEntryKind kind, string expected)
    {
        var entry = new CreditEntry { Key = "k", Sequence = 1, Kind = kind, Currency = Usd, Amount = 1, At = AsOf, Parts = [] };

        var json = await WireAsync(CreditEntryResponse.From(entry, withOperator: false));

        Assert.Equal(expected, json["kind"]!.GetValue<string>());
    }

    internal static System.Text.Json.Nodes.JsonObject Pick(System.Text.Json.Nodes.JsonNode node, params string[] names)
    {
        var picked = new System.Text.Json.Nodes.JsonObject();
        foreach (var name in names)
        {
            Assert.True(node.AsObject().ContainsKey(name), $"{name} is written");
            picked[name] = node[name]?.DeepClone();
        }

        return picked;
    }
}
