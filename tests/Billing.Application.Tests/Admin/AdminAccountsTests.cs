using System.Buffers.Text;
using System.Text;
using Billing.Application.Admin;
using Billing.Application.Credits;
using Billing.Application.Outcomes;
using Billing.Application.Payments;
using Billing.Application.Tests.Fakes;
using Billing.Domain.Accounts;
using Billing.Domain.Credits;
using Billing.Domain.Plans;
using Billing.Domain.Pricing;
using Billing.Domain.Subscriptions;
using Billing.TestSupport;

namespace Billing.Application.Tests.Admin;

/// <summary>
/// The operators' account views over the in-memory account index, accounts, usage, invoice runs and credit ledger,
/// the fake Stripe and the manual clock: the listing's checks, filters and cursor paging, the summaries it repairs,
/// and the detail answered in part when Stripe or the credit ledger cannot be read.
/// </summary>
public sealed class AdminAccountsTests
{
    private static readonly Currency Usd = Currency.Parse("usd");

    private readonly InvoicingTestBed _bed = new();
    private readonly InMemoryAccountDirectory _directory = new();
    private readonly InMemoryStripeEventHistory _events = new();
    private readonly FakeStripe _stripe;
    private readonly AdminAccounts _admin;

    public AdminAccountsTests()
    {
        _stripe = new FakeStripe(_bed.Time);
        _admin = new AdminAccounts(
            _directory,
            _bed.Usage.Accounts,
            _bed.Usage.Entitlements,
            _bed.Ledger,
            _bed.Runs,
            _events,
            _stripe,
            _bed.Usage.Catalog,
            _bed.Time,
            new CreditsOverview(_bed.Credits, _bed.CreditStore, _bed.Time));
    }

    // ---- ListAsync: checks -----------------------------------------------------------------------------------

    [Theory]
    [InlineData("GOLD", null, null, null, null, "plan")]
    [InlineData("not a plan", null, null, null, null, "plan")]
    [InlineData(null, "Active", null, null, null, "status")]
    [InlineData(null, "past-due", null, null, null, "status")]
    [InlineData(null, null, null, "%%%", null, "cursor")]
    [InlineData(null, null, null, null, 0, "limit")]
    [InlineData(null, null, null, null, 101, "limit")]
    public async Task A_bad_query_parameter_is_refused_naming_the_field(string? plan, string? status, string? q, string? cursor, int? limit, string field)
    {
        Index(_bed.Usage.Register());

        var errors = (await _admin.ListAsync(new AdminAccountListRequest(plan, status, q, cursor, limit), CancellationToken.None)).AssertInvalid();

        Assert.Equal([field], errors.Fields);
        Assert.Single(errors.For(field));
    }

    [Fact]
    public async Task An_unknown_plan_is_refused_with_the_catalog_plans()
    {
        var errors = (await _admin.ListAsync(new AdminAccountListRequest(Plan: "GOLD"), CancellationToken.None)).AssertInvalid();

        Assert.Equal("Use one of the catalog's plans: FREE, TRIAL, BASIC, PRO.", Assert.Single(errors.For("plan")));
    }

    [Fact]
    public async Task A_search_longer_than_128_characters_is_refused_and_128_are_accepted()
    {
        var tooLong = (await _admin.ListAsync(new AdminAccountListRequest(Query: new string('a', 129)), CancellationToken.None)).AssertInvalid();
        var longest = await _admin.ListAsync(new AdminAccountListRequest(Query: new string('a', 128)), CancellationToken.None);

        Assert.Equal(["q"], tooLong.Fields);
        Assert.Empty(longest.AssertSucceeded().Accounts);
    }

    [Fact]
    public async Task A_cursor_of_another_listing_or_an_empty_position_is_refused()
    {
        var invoiceCursor = Base64Url.EncodeToString(Encoding.UTF8.GetBytes("invoices|2026-11-01T00:00:00|user-1:x"));
        var emptyPosition = Base64Url.EncodeToString(Encoding.UTF8.GetBytes("accounts|"));

        Assert.Equal(["cursor"], (await _admin.ListAsync(new AdminAccountListRequest(Cursor: invoiceCursor), CancellationToken.None)).AssertInvalid().Fields);
        Assert.Equal(["cursor"], (await _admin.ListAsync(new AdminAccountListRequest(Cursor: emptyPosition), CancellationToken.None)).AssertInvalid().Fields);
    }

    [Fact]
    public async Task A_cursor_sent_with_other_filters_is_refused_and_a_refused_filter_is_named_alone()
    {
        var ids = Enumerable.Range(0, 3).Select(_ => _bed.Usage.Register()).ToList();
        ids.ForEach(Index);
        var first = (await _admin.ListAsync(new AdminAccountListRequest(Plan: "free", Status: "none", Query: "   ", Limit: 1), CancellationToken.None)).AssertSucceeded();

        var otherPlan = (await _admin.ListAsync(new AdminAccountListRequest(Plan: "PRO", Status: "none", Cursor: first.NextCursor), CancellationToken.None)).AssertInvalid();
        var otherStatus = (await _admin.ListAsync(new AdminAccountListRequest(Plan: "FREE", Status: "active", Cursor: first.NextCursor), CancellationToken.None)).AssertInvalid();
        var otherSearch = (await _admin.ListAsync(new AdminAccountListRequest(Plan: "FREE", Status: "none", Query: "x", Cursor: first.NextCursor), CancellationToken.None)).AssertInvalid();
        var badPlan = (await _admin.ListAsync(new AdminAccountListRequest(Plan: "GOLD", Status: "none", Cursor: first.NextCursor), CancellationToken.None)).AssertInvalid();
        var same = (await _admin.ListAsync(new AdminAccountListRequest(Plan: "FREE", Status: "none", Cursor: first.NextCursor, Limit: 1), CancellationToken.None)).AssertSucceeded();

        Assert.Equal(["cursor"], otherPlan.Fields);
        Assert.Equal(["cursor"], otherStatus.Fields);
        Assert.Equal(
            "This cursor was handed out with other filters: send it with the same plan, status, q as the page it came from, or start again without a cursor.",
            Assert.Single(otherSearch.For("cursor")));
        Assert.Equal(["plan"], badPlan.Fields);
        Assert.Equal([Ids([.. ids])[1]], same.Accounts.Select(a => a.Summary.AccountId.Value));
    }

    [Fact]
    public async Task A_search_in_other_letter_case_is_the_same_filter_for_the_cursor()
    {
        var ids = Enumerable.Range(0, 3).Select(_ => _bed.Usage.Register()).ToList();
        ids.ForEach(Index);
        var first = (await _admin.ListAsync(new AdminAccountListRequest(Query: "USER-", Limit: 1), CancellationToken.None)).AssertSucceeded();

        var next = (await _admin.ListAsync(new AdminAccountListRequest(Query: "user-", Cursor: first.NextCursor, Limit: 1), CancellationToken.None)).AssertSucceeded();

        Assert.Equal([Ids([.. ids])[1]], next.Accounts.Select(a => a.Summary.AccountId.Value)); // q is case-insensitive
    }

    [Fact]
    public async Task Every_bad_parameter_is_named_at_once()
    {
        var errors = (await _admin.ListAsync(new AdminAccountListRequest("GOLD", "ACTIVE", new string('x', 200), "!", 0), CancellationToken.None)).AssertInvalid();

        Assert.Equal(["cursor", "limit", "plan", "q", "status"], errors.Fields.Order(StringComparer.Ordinal));
    }

    // ---- ListAsync: filters and paging -------------------------------------------------------------------------

    [Fact]
    public async Task Plan_status_and_search_filter_the_index()
    {
        var free = _bed.Usage.Register();
        var (pro, _) = _bed.Usage.Subscribe(TestCatalog.ProMonthly);
        var (pastDue, _) = _bed.Usage.Subscribe(TestCatalog.ProMonthly, SubscriptionStatus.PastDue);
        var (basic, _) = _bed.Usage.Subscribe(TestCatalog.BasicMonthly);
        foreach (var id in new[] { free, pro, pastDue, basic })
        {
            Index(id);
        }

        var customer = (await _bed.Usage.Accounts.GetAsync(basic, CancellationToken.None))!.StripeCustomerId!;

        Assert.Equal(Ids(pro, pastDue), await ListedAsync(new AdminAccountListRequest(Plan: "pro")));
        Assert.Equal(Ids(pastDue), await ListedAsync(new AdminAccountListRequest(Plan: "PRO", Status: "past_due")));
        Assert.Equal(Ids(free), await ListedAsync(new AdminAccountListRequest(Status: AccountSummary.NoSubscription)));
        Assert.Equal(Ids(basic), await ListedAsync(new AdminAccountListRequest(Query: "  " + customer.ToUpperInvariant() + " ")));
        Assert.Equal(Ids(free), await ListedAsync(new AdminAccountListRequest(Query: free.Value[^6..])));
        Assert.Equal(Ids(free, pro, pastDue, basic), await ListedAsync(new AdminAccountListRequest(Query: "   ")));
    }

    [Fact]
    public async Task Paging_with_the_cursor_walks_every_account_once_in_id_order()
    {
        var ids = Enumerable.Range(0, 7).Select(_ => _bed.Usage.Register()).ToList();
        ids.ForEach(Index);

        var seen = new List<string>();
        var sizes = new List<int>();
        string? cursor = null;
        do
        {
            var page = (await _admin.ListAsync(new AdminAccountListRequest(Cursor: cursor, Limit: 3), CancellationToken.None)).AssertSucceeded();
            sizes.Add(page.Accounts.Count);
            seen.AddRange(page.Accounts.Select(a => a.Summary.AccountId.Value));
            cursor = page.NextCursor;
        }
        while (cursor is not null && sizes.Count < 10);

        Assert.Equal([3, 3, 1], sizes);
        Assert.Equal(Ids([.. ids]), seen);
    }

    [Fact]
    public async Task A_page_ending_at_the_last_account_has_no_cursor_and_the_default_size_is_25()
    {
        var ids = Enumerable.Range(0, 26).Select(_ => _bed.Usage.Register()).ToList();
        ids.ForEach(Index);

        var first = (await _admin.ListAsync(new AdminAccountListRequest(), CancellationToken.None)).AssertSucceeded();
        var exact = (await _admin.ListAsync(new AdminAccountListRequest(Limit: 26), CancellationToken.None)).AssertSucceeded();

        Assert.Equal(25, first.Accounts.Count);
        Assert.NotNull(first.NextCursor);
        Assert.Equal(26, exact.Accounts.Count);
        Assert.Null(exact.NextCursor);
        Assert.Equal(_bed.Time.GetUtcNow(), exact.AsOf);
    }

    [Fact]
    public async Task A_summary_behind_the_account_is_listed_as_the_account_is_now_and_recorded_again()
    {
        var (id, _) = _bed.Usage.Subscribe(TestCatalog.ProMonthly);
        var account = (await _bed.Usage.Accounts.GetAsync(id, CancellationToken.None))!;
        var missedWrite = BillingAccount.Open(id, account.CreatedAt);
        await _directory.RecordAsync(AccountSummary.Of(missedWrite, _bed.Usage.Entitlements.Evaluate(missedWrite, _bed.Time.GetUtcNow())), CancellationToken.None);
        Assert.Equal("FREE", Assert.Single(_directory.Stored).Plan.Value);

        var row = Assert.Single((await _admin.ListAsync(new AdminAccountListRequest(Plan: "FREE"), CancellationToken.None)).AssertSucceeded().Accounts);

        Assert.Equal(("PRO", "active", account.Version), (row.Summary.Plan.Value, row.Summary.Status, row.Summary.AccountVersion));
        var stored = Assert.Single(_directory.Stored);
        Assert.Equal(("PRO", "active", account.Version, account.StripeCustomerId), (stored.Plan.Value, stored.Status, stored.AccountVersion, stored.StripeCustomerId));
        Assert.Empty((await _admin.ListAsync(new AdminAccountListRequest(Plan: "FREE"), CancellationToken.None)).AssertSucceeded().Accounts);
    }

    [Fact]
    public async Task Summaries_that_still_describe_their_accounts_are_listed_without_a_write()
    {
        var (pro, _) = _bed.Usage.Subscribe(TestCatalog.ProMonthly);
        var free = _bed.Usage.Register();
        Index(pro);
        Index(free);
        var records = _directory.Records;

        var page = (await _admin.ListAsync(new AdminAccountListRequest(), CancellationToken.None)).AssertSucceeded();

        Assert.Equal(2, page.Accounts.Count);
        Assert.Equal(records, _directory.Records); // a listing writes only the summaries it finds behind
    }

    [Fact]
    public async Task A_plan_that_time_moved_is_recorded_again_though_the_account_was_not_written()
    {
        var id = AccountsTestBed.NewAccountId();
        var now = _bed.Time.GetUtcNow();
        var trial = BillingAccount.Open(id, now).StartLocalTrial(_bed.Usage.Catalog, now);
        Assert.True(trial.Changed);
        _bed.Usage.Accounts.Put(trial.Account);
        Index(id);
        Assert.Equal(("TRIAL", AccountSummary.LocalTrial), (_directory.Stored.Single().Plan.Value, _directory.Stored.Single().Status));

        _bed.Time.Advance(TimeSpan.FromDays(TestCatalog.LocalTrialDays + 1));
        var row = Assert.Single((await _admin.ListAsync(new AdminAccountListRequest(), CancellationToken.None)).AssertSucceeded().Accounts);

        Assert.Equal("FREE", row.Summary.Plan.Value);
        Assert.Equal("FREE", Assert.Single(_directory.Stored).Plan.Value);
    }

    [Fact]
    public async Task A_row_has_the_current_usage_against_limits_and_the_credit_balance_without_entries()
    {
        var subscriber = await _bed.SubscribeProAsync(agentRuns: 1_250, tokens: 0);
        var free = _bed.Usage.Register();
        Index(subscriber.Id);
        Index(free);
        await _bed.Credits.PostAsync(subscriber.Id, CreditOperation.Grant("g1", Usd, 500, null, "pack:TEST", "pi_g1", "g1"), CancellationToken.None);
        await _bed.Credits.PostAsync(subscriber.Id, CreditOperation.Adjust("a1", Usd, -120, "goodwill reversal", "ops@example.com"), CancellationToken.None);

        var page = (await _admin.ListAsync(new AdminAccountListRequest(), CancellationToken.None)).AssertSucceeded();
        var pro = page.Accounts.Single(a => a.Summary.AccountId == subscriber.Id);
        var other = page.Accounts.Single(a => a.Summary.AccountId == free);

        Assert.Equal(subscriber.Period, pro.Usage.Period);
        Assert.Equal("PRO", pro.Usage.Plan.Code.Value);
        var runs = pro.Usage.Meters.Single(m => m.Meter == UsageTestBed.AgentRuns);
        Assert.Equal(1_250, runs.Used);
        Assert.Equal(0, pro.Usage.Meters.Single(m => m.Meter == UsageTestBed.Tokens).Used);
        Assert.Equal([750L], pro.Usage.OverageTotal.Select(m => m.MinorUnits)); // 250 runs x 3
        Assert.True(pro.Credits.Available);
        Assert.Equal([new Money(380, Usd)], pro.Credits.Credits!.Balance);
        Assert.Empty(pro.Credits.Credits.Entries);

        Assert.Equal("FREE", other.Usage.Plan.Code.Value);
        Assert.All(other.Usage.Meters, m => Assert.Equal(0, m.Used));
        Assert.True(other.Credits.Available);
        Assert.Empty(other.Credits.Credits!.Balance);
    }

    [Fact]
    public async Task A_contended_credit_ledger_leaves_the_row_without_credit_and_the_rest_answered()
    {
        var subscriber = await _bed.SubscribeProAsync(agentRuns: 1_250, tokens: 0);
        var calm = _bed.Usage.Register();
        Index(subscriber.Id);
        Index(calm);
        await ContendAsync(subscriber.Id);

        var page = (await _admin.ListAsync(new AdminAccountListRequest(), CancellationToken.None)).AssertSucceeded();
        var contended = page.Accounts.Single(a => a.Summary.AccountId == subscriber.Id);

        Assert.False(contended.Credits.Available);
        Assert.Null(contended.Credits.Credits);
        Assert.Contains("kept changing", contended.Credits.Unavailable, StringComparison.Ordinal);
        Assert.Equal(1_250, contended.Usage.Meters.Single(m => m.Meter == UsageTestBed.AgentRuns).Used);
        Assert.True(page.Accounts.Single(a => a.Summary.AccountId == calm).Credits.Available);
    }

    // ---- GetAsync ------------------------------------------------------------------------------------------

    [Fact]
    public async Task An_unknown_account_is_not_found_and_nothing_is_recorded()
    {
        var refusal = (await _admin.GetAsync(AccountId.Parse("user-nobody"), CancellationToken.None)).AssertRefused();

        Assert.Equal(RefusalReason.AccountNotFound, refusal.Reason);
        Assert.Contains("user-nobody", refusal.Detail, StringComparison.Ordinal);
        Assert.Empty(_directory.Stored);
        Assert.Equal(0, _stripe.Reads);
    }

    [Fact]
    public async Task The_detail_has_stripe_now_usage_invoices_credit_and_events_and_records_the_summary()
    {
        var (id, subscription) = StoredSubscriber();
        var now = _bed.Time.GetUtcNow();
        (await _bed.Usage.RecordAsync(id, UsageTestBed.AgentRuns, 40)).AssertSucceeded();
        var invoiced = _bed.Runs.Put(InvoicedRun(id, now.AddMonths(-1)));
        await _bed.Credits.PostAsync(id, CreditOperation.Grant("g1", Usd, 1_000, now.AddDays(90), "pack:TEST", "pi_g1", "g1"), CancellationToken.None);
        await _bed.Credits.PostAsync(id, CreditOperation.Adjust("a1", Usd, -250, "duplicate purchase", "ops@example.com"), CancellationToken.None);
        _events.Events[id] = [Event("evt_1", now.AddMinutes(-5)), Event("evt_2", now.AddMinutes(-1))];
        _stripe.ChangePrice(subscription, TestCatalog.BasicMonthly); // Stripe moved on; the webhook has not arrived yet
        var asOf = _bed.Time.GetUtcNow();

        var detail = (await _admin.GetAsync(id, CancellationToken.None)).AssertSucceeded();

        Assert.Equal(asOf, detail.AsOf);
        Assert.Equal(id, detail.Account.Id);
        Assert.Equal(("PRO", "active"), (detail.Summary.Plan.Value, detail.Summary.Status));
        Assert.Equal(detail.Summary, Assert.Single(_directory.Stored));

        Assert.True(detail.Stripe is { Asked: true, Reachable: true, Error: null });
        var live = Assert.Single(detail.Stripe.Subscriptions);
        Assert.Equal((subscription.Id, TestCatalog.BasicMonthly), (live.SubscriptionId, live.PriceId));

        Assert.Equal(40, detail.CurrentUsage.Meters.Single(m => m.Meter == UsageTestBed.AgentRuns).Used);
        Assert.Equal(detail.Entitlement.Period, detail.CurrentUsage.Period);
        var period = Assert.Single(detail.Usage);
        Assert.Equal(40, period.Meters.Single(m => m.Meter == UsageTestBed.AgentRuns).Used);
        Assert.Equal("PRO", period.Plan.Code.Value); // as its plan priced it

        Assert.Equal([invoiced.RunId], detail.Invoices.Select(r => r.RunId));
        Assert.Equal(["evt_2", "evt_1"], detail.Events.Select(e => e.EventId));

        Assert.True(detail.Credits.Available);
        Assert.Equal([new Money(750, Usd)], detail.Credits.Credits!.Balance);
        Assert.Equal(["adjustment", "grant"], detail.Credits.Credits.Entries.Select(e => e.Kind));
        var adjustment = detail.Credits.Credits.Entries[0];
        Assert.Equal((new Money(-250, Usd), "duplicate purchase", "ops@example.com", (DateTimeOffset?)null), (adjustment.Amount, adjustment.Reason, adjustment.Actor, adjustment.ExpiresAt));
        Assert.Equal(now.AddDays(90), detail.Credits.Credits.Entries[1].ExpiresAt);
    }

    [Fact]
    public async Task The_detail_lists_at_most_the_latest_20_credit_entries_newest_first()
    {
        var id = _bed.Usage.Register();
        await _bed.Credits.PostAsync(id, CreditOperation.Grant("g1", Usd, 1_000, null, "pack:TEST", "pi_g1", "g1"), CancellationToken.None);
        for (var i = 1; i <= 24; i++)
        {
            await _bed.Credits.PostAsync(id, CreditOperation.Adjust($"a{i}", Usd, -i, $"adjustment {i}", "ops@example.com"), CancellationToken.None);
        }

        var credits = (await _admin.GetAsync(id, CancellationToken.None)).AssertSucceeded().Credits.Credits!;

        Assert.Equal(AdminAccounts.MaxCreditEntries, credits.Entries.Count);
        Assert.Equal(Enumerable.Range(5, 20).Reverse().Select(i => $"adjustment {i}"), credits.Entries.Select(e => e.Reason));
        Assert.Equal([new Money(1_000 - (24 * 25 / 2), Usd)], credits.Balance);
    }

    [Fact]
    public async Task The_detail_lists_the_periods_with_usage_started_in_the_last_six_months_newest_first()
    {
        // Free plan: a calendar month each. At 1 June 2027 00:00 the six months are January to June; June starts this instant.
        var id = _bed.Usage.Register();
        foreach (var at in new[] { "2026-12-15", "2027-01-01", "2027-02-15", "2027-03-15", "2027-04-15", "2027-05-15", "2027-06-01" })
        {
            _bed.Time.SetUtcNow(DateTimeOffset.Parse(at + "T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
            (await _bed.Usage.RecordAsync(id, UsageTestBed.AgentRuns, 1)).AssertSucceeded();
        }

        var detail = (await _admin.GetAsync(id, CancellationToken.None)).AssertSucceeded();

        Assert.Equal(["month-2027-06", "month-2027-05", "month-2027-04", "month-2027-03", "month-2027-02", "month-2027-01"], detail.Usage.Select(p => p.Period.Key.Value));

        // Later in June the six months are still January to June: months, not 6 x 30 days back from now.
        _bed.Time.SetUtcNow(DateTimeOffset.Parse("2027-06-20T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var later = (await _admin.GetAsync(id, CancellationToken.None)).AssertSucceeded();
        Assert.Equal(detail.Usage.Select(p => p.Period.Key), later.Usage.Select(p => p.Period.Key));
    }

    [Fact]
    public async Task The_detail_lists_the_latest_24_invoices_and_the_latest_20_events()
    {
        var id = _bed.Usage.Register();
        var now = _bed.Time.GetUtcNow();
        for (var month = 1; month <= AdminAccounts.MaxInvoices + 1; month++)
        {
            _bed.Runs.Put(InvoicedRun(id, now.AddMonths(-month)));
        }

        _events.Events[id] = [.. Enumerable.Range(1, AdminAccounts.MaxEvents + 1).Select(i => Event($"evt_{i}", now.AddMinutes(-i)))];

        var detail = (await _admin.GetAsync(id, CancellationToken.None)).AssertSucceeded();

        Assert.Equal(24, detail.Invoices.Count);
        Assert.Equal(Billing.Domain.Metering.UsagePeriod.CalendarMonth(now.AddMonths(-24)).Key, detail.Invoices[^1].PeriodKey); // the 25th month back is left out
        Assert.Equal(Enumerable.Range(1, 20).Select(i => $"evt_{i}"), detail.Events.Select(e => e.EventId));
    }

    [Fact]
    public async Task With_stripe_down_the_detail_says_so_and_answers_everything_else()
    {
        var subscriber = await _bed.SubscribeProAsync(agentRuns: 30, tokens: 0);
        await _bed.Credits.PostAsync(subscriber.Id, CreditOperation.Grant("g1", Usd, 300, null, "pack:TEST", "pi_g1", "g1"), CancellationToken.None);
        _stripe.Outage = new PaymentProviderException("Stripe could not be reached (test outage).");

        var detail = (await _admin.GetAsync(subscriber.Id, CancellationToken.None)).AssertSucceeded();

        Assert.True(detail.Stripe.Asked);
        Assert.False(detail.Stripe.Reachable);
        Assert.Equal("Stripe could not be reached (test outage).", detail.Stripe.Error);
        Assert.Empty(detail.Stripe.Subscriptions);
        Assert.Equal(subscriber.SubscriptionId, detail.Account.Subscription!.SubscriptionId);
        Assert.Equal(30, detail.CurrentUsage.Meters.Single(m => m.Meter == UsageTestBed.AgentRuns).Used);
        Assert.True(detail.Credits.Available);
        Assert.Equal([new Money(300, Usd)], detail.Credits.Credits!.Balance);
        Assert.Single(_directory.Stored);
    }

    [Fact]
    public async Task Stripe_is_asked_about_the_stored_subscription_even_when_it_has_ended_there()
    {
        var (id, subscription) = StoredSubscriber();
        _stripe.CancelNow(subscription); // its customer.subscription.deleted not applied yet

        var stripe = (await _admin.GetAsync(id, CancellationToken.None)).AssertSucceeded().Stripe;

        var asked = Assert.Single(stripe.Subscriptions); // what the operator needs to see: the stored one is canceled
        Assert.Equal((subscription.Id, SubscriptionStatus.Canceled), (asked.SubscriptionId, asked.Status));
    }

    [Fact]
    public async Task Stripe_is_asked_for_the_customer_subscriptions_when_the_account_has_none_stored()
    {
        var id = AccountsTestBed.NewAccountId();
        var customer = _stripe.CreateCustomer(id.Value);
        _stripe.CancelNow(_stripe.CompleteCheckout(id.Value, customer, TestCatalog.BasicMonthly)); // ended: not asked about
        var subscription = _stripe.CompleteCheckout(id.Value, customer, TestCatalog.ProMonthly);
        _bed.Usage.Accounts.Put(BillingAccount.Open(id, _bed.Time.GetUtcNow()) with { StripeCustomerId = customer });

        var stripe = (await _admin.GetAsync(id, CancellationToken.None)).AssertSucceeded().Stripe;

        Assert.True(stripe is { Asked: true, Reachable: true, Error: null });
        Assert.Equal([subscription.Id], stripe.Subscriptions.Select(s => s.SubscriptionId));

        _stripe.Outage = new PaymentProviderException("Stripe refused the request.");
        var down = (await _admin.GetAsync(id, CancellationToken.None)).AssertSucceeded().Stripe;
        Assert.True(down is { Asked: true, Reachable: false, Error: "Stripe refused the request." });
    }

    [Fact]
    public async Task An_account_without_customer_or_subscription_is_not_asked_about_even_with_stripe_down()
    {
        var id = _bed.Usage.Register();
        _stripe.Outage = new PaymentProviderException("Stripe could not be reached (test outage).");

        var stripe = (await _admin.GetAsync(id, CancellationToken.None)).AssertSucceeded().Stripe;

        Assert.True(stripe is { Asked: false, Reachable: true, Error: null });
        Assert.Empty(stripe.Subscriptions);
        Assert.Equal(0, _stripe.Reads);
    }

    [Fact]
    public async Task A_contended_credit_ledger_leaves_the_detail_without_credit_and_the_rest_answered()
    {
        var subscriber = await _bed.SubscribeProAsync(agentRuns: 30, tokens: 0);
        await ContendAsync(subscriber.Id);

        var detail = (await _admin.GetAsync(subscriber.Id, CancellationToken.None)).AssertSucceeded();

        Assert.False(detail.Credits.Available);
        Assert.Null(detail.Credits.Credits);
        Assert.Equal($"The credit ledger of account {subscriber.Id} kept changing under {CreditLedger.MaxAttempts} attempts.", detail.Credits.Unavailable);
        Assert.True(detail.Stripe.Reachable);
        Assert.Equal(30, detail.CurrentUsage.Meters.Single(m => m.Meter == UsageTestBed.AgentRuns).Used);
        Assert.Equal(subscriber.Id, detail.Summary.AccountId);
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    /// <summary>Records the account's summary as the write-behind indexer would after its last write.</summary>
    private void Index(AccountId id)
    {
        var account = _bed.Usage.Accounts.GetAsync(id, CancellationToken.None).GetAwaiter().GetResult() ?? throw new InvalidOperationException("not stored");
        _directory.RecordAsync(AccountSummary.Of(account, _bed.Usage.Entitlements.Evaluate(account, _bed.Time.GetUtcNow())), CancellationToken.None).GetAwaiter().GetResult();
    }

    /// <summary>A new Stripe customer's account with its PRO subscription stored, as the webhooks left it.</summary>
    private (AccountId Id, FakeStripeSubscription Subscription) StoredSubscriber()
    {
        var id = AccountsTestBed.NewAccountId();
        var customer = _stripe.CreateCustomer(id.Value);
        var subscription = _stripe.CompleteCheckout(id.Value, customer, TestCatalog.ProMonthly);
        var now = _bed.Time.GetUtcNow();
        var applied = BillingAccount.Open(id, now).ApplySubscriptionSnapshot(subscription.ToSnapshot(now), _bed.Usage.Catalog, TimeSpan.Zero);
        _bed.Usage.Accounts.Put(applied.Account with { StripeCustomerId = customer });
        return (id, subscription);
    }

    private async Task<List<string>> ListedAsync(AdminAccountListRequest request) =>
        [.. (await _admin.ListAsync(request, CancellationToken.None)).AssertSucceeded().Accounts.Select(a => a.Summary.AccountId.Value)];

    private static List<string> Ids(params AccountId[] ids) => [.. ids.Select(i => i.Value).Order(StringComparer.Ordinal)];

    /// <summary>
    /// Gives the account a grant that is due to expire, then has another writer rewrite its book before every store
    /// call: each read tries to write the expiry and loses the race, until the ledger gives up.
    /// </summary>
    private async Task ContendAsync(AccountId id)
    {
        await _bed.Credits.PostAsync(id, CreditOperation.Grant("expiring", Usd, 200, _bed.Time.GetUtcNow().AddHours(1), "pack:TEST", "pi_expiring", "expiring"), CancellationToken.None);
        _bed.Time.Advance(TimeSpan.FromHours(2));
        var otherWriter = new AsyncLocal<bool>();
        _bed.CreditStore.Interleave = async () =>
        {
            if (otherWriter.Value)
            {
                return;
            }

            otherWriter.Value = true;
            if (await _bed.CreditStore.GetBookAsync(id, CancellationToken.None) is { } stored)
            {
                Assert.NotNull(await _bed.CreditStore.TryWriteBookAsync(stored.Book, stored.ETag, CancellationToken.None));
            }
        };
    }

    private static AccountStripeEvent Event(string id, DateTimeOffset at) => new()
    {
        EventId = id,
        Type = "customer.subscription.updated",
        Status = "processed",
        Created = at,
        ReceivedAt = at,
    };

    private static Billing.Application.Invoicing.InvoiceRun InvoicedRun(AccountId id, DateTimeOffset inMonth)
    {
        var period = Billing.Domain.Metering.UsagePeriod.CalendarMonth(inMonth);
        return new Billing.Application.Invoicing.InvoiceRun
        {
            AccountId = id,
            PeriodKey = period.Key,
            PeriodStart = period.Start,
            PeriodEnd = period.End,
            Plan = PlanCode.Parse("PRO"),
            Currency = Usd,
            Lines = [new Billing.Application.Invoicing.InvoiceRunLine(UsageTestBed.AgentRuns, 1_100, 1_000, 100, 300, "Agent runs")],
            Step = Billing.Application.Invoicing.InvoiceRunStep.Recorded,
            StripeInvoiceId = "in_" + period.Key.Value,
            Status = "paid",
            CreatedAt = period.End,
            UpdatedAt = period.End,
        };
    }
}
