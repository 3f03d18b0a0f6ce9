using Billing.Application.Invoicing;
using Billing.Application.Usage;
using Billing.Cosmos.Admin;
using Billing.Cosmos.Configuration;
using Billing.Cosmos.Documents;
using Billing.Cosmos.Invoicing;
using Billing.Cosmos.Tests.Support;
using Billing.Domain.Accounts;
using Billing.Domain.Metering;
using Billing.Domain.Plans;
using Billing.Domain.Pricing;
using Microsoft.Azure.Cosmos;

namespace Billing.Cosmos.Tests.Invoicing;

public sealed class CosmosInvoiceRunStoreTests(CosmosFixture fixture) : IClassFixture<CosmosFixture>
{
    private static readonly MeterName AgentRuns = MeterName.Parse("agent_runs");
    private static readonly MeterName Tokens = MeterName.Parse("tokens");
    private static readonly InvoiceRunLine[] NoLines = [];
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 2, 0, 5, TimeSpan.Zero);

    private readonly IInvoiceRunStore _store = fixture.Get<IInvoiceRunStore>();

    [Fact]
    public async Task An_unknown_run_reads_as_null()
    {
        Assert.Null(await _store.GetAsync(Ids.NewAccount(), UsagePeriodKey.ForCalendarMonth(2026, 11), CancellationToken.None));
    }

    [Fact]
    public async Task A_created_run_reads_back_whole_with_an_etag_in_the_documented_shape()
    {
        var account = Ids.NewAccount();
        var run = Run(account, 2026, 11) with
        {
            Lines =
            [
                new InvoiceRunLine(AgentRuns, 6_250, 5_000, 1_250, 2_500, "agent_runs: 1,250 beyond the 5,000 included (6,250 used), 1 Nov 2026 – 30 Nov 2026") { StripeItemId = "ii_1" },
                new InvoiceRunLine(Tokens, 12_000_000, 10_000_000, 2_000_000, 400, "tokens: 2,000,000 beyond the 10,000,000 included"),
            ],
            StripeCustomerId = "cus_1",
            StripeSubscriptionId = "sub_1",
            Attempts = 1,
            Plans = "BASIC then PRO",
            CollectionPause = CollectionPauseBehavior.MarkUncollectible,
        };

        var created = await _store.CreateAsync(run, CancellationToken.None);
        var read = await _store.GetAsync(account, run.PeriodKey, CancellationToken.None);

        Assert.NotNull(created.ETag);
        AssertSame(run with { ETag = created.ETag, Revision = 1 }, created);
        AssertSame(created, read);
        Assert.Equal(2_900, read!.Total);

        var raw = (await RawDocuments.ReadAsync(fixture.Containers.Accounts, $"invoice-run:{account.Value}:month-2026-11", account.Value))!;
        Assert.Equal(("invoiceRun", 2, "computed", "usd", "PRO", 2_900L), ((string?)raw["type"], (int)raw["schemaVersion"]!, (string?)raw["step"], (string?)raw["currency"], (string?)raw["plan"], (long)raw["total"]!));
        Assert.Equal("2026-11-01T00:00:00.0000000Z", (string?)raw["periodStart"]);
        var line = raw["lines"]![0]!;
        Assert.Equal(("agent_runs", 6_250L, 5_000L, 1_250L, 2_500L, "ii_1"), ((string?)line["meter"], (long)line["used"]!, (long)line["included"]!, (long)line["overageUnits"]!, (long)line["amount"]!, (string?)line["stripeItemId"]));
        Assert.False(raw["lines"]![1]!.AsObject().ContainsKey("stripeItemId")); // nulls are omitted
        Assert.False(raw.ContainsKey("stripeInvoiceId"));
        Assert.False(raw.ContainsKey("creditApplied")); // absent when no credit was spent
        Assert.Equal("BASIC then PRO", (string?)raw["plans"]);
        Assert.Equal("Usage beyond the BASIC then PRO plans", read.InvoiceDescription);
        Assert.Equal("markUncollectible", (string?)raw["collectionPause"]);
        Assert.Equal(1L, (long)raw["revision"]!);
    }

    [Fact]
    public async Task What_Stripe_bills_when_an_operator_changed_the_invoice_is_kept_by_the_run_its_listing_and_its_index_entry()
    {
        var account = Ids.NewAccount("inv");
        var (year, month) = (2000 + Random.Shared.Next(0, 900), 1 + Random.Shared.Next(0, 12)); // a month no other test uses
        var created = await _store.CreateAsync(Run(account, year, month) with { StripeCustomerId = "cus_1" }, CancellationToken.None);
        var drafted = await _store.SaveAsync(created with { Step = InvoiceRunStep.ItemsCreated, StripeInvoiceId = "in_" + account.Value, Status = "draft", CreditApplied = 1_000 }, CancellationToken.None);
        var documentId = $"invoice-run:{account.Value}:{created.PeriodKey.Value}";
        Assert.False((await RawDocuments.ReadAsync(fixture.Containers.Accounts, documentId, account.Value))!.ContainsKey("stripeTotal")); // absent while none

        // The operator added 99 to the draft and finalized it: the run records Stripe's total, 1,599, not its 1,500
        await _store.SaveAsync(drafted with { Step = InvoiceRunStep.Recorded, Status = "paid", Number = "N-1", StripeTotal = 1_599 }, CancellationToken.None);

        var read = await _store.GetAsync(account, created.PeriodKey, CancellationToken.None);
        Assert.Equal((1_599L, 1_599L, 1_500L), (read!.StripeTotal, read.AmountBilled, read.AmountDue));
        Assert.Equal(1_599, Assert.Single(await _store.ListInvoicedAsync(account, null, 10, CancellationToken.None)).AmountBilled);
        var entry = Assert.Single((await fixture.Get<Billing.Application.Admin.IInvoiceDirectory>().ListAsync(new Billing.Application.Admin.InvoiceDirectoryQuery($"{year:0000}-{month:00}", null, null, 10), CancellationToken.None)).Items);
        Assert.Equal((account, 1_599L, 1_500L), (entry.AccountId, entry.AmountBilled, entry.AmountDue));
        var raw = (await RawDocuments.ReadAsync(fixture.Containers.Accounts, documentId, account.Value))!;
        Assert.Equal((1_599L, 1), ((long)raw["stripeTotal"]!, (int)raw["schemaVersion"]!)); // an optional field: no new schema version
    }

    [Fact]
    public async Task What_Stripe_asks_the_customer_to_pay_and_what_they_paid_are_kept_by_the_run_and_its_listing()
    {
        var account = Ids.NewAccount("inv");
        var (year, month) = (2000 + Random.Shared.Next(0, 900), 1 + Random.Shared.Next(0, 12)); // a month no other test uses
        var created = await _store.CreateAsync(Run(account, year, month) with { StripeCustomerId = "cus_1" }, CancellationToken.None);
        var drafted = await _store.SaveAsync(created with { Step = InvoiceRunStep.ItemsCreated, StripeInvoiceId = "in_" + account.Value, Status = "draft" }, CancellationToken.None);
        var documentId = $"invoice-run:{account.Value}:{created.PeriodKey.Value}";
        Assert.False((await RawDocuments.ReadAsync(fixture.Containers.Accounts, documentId, account.Value))!.ContainsKey("stripeAmountDue")); // absent while a draft

        // Below Stripe's minimum charge: paid by Stripe with nothing due, its amount carried onto the customer's balance
        await _store.SaveAsync(drafted with { Step = InvoiceRunStep.Recorded, Status = "paid", Number = "N-1", StripeAmountDue = 0, StripeAmountPaid = 0 }, CancellationToken.None);

        var read = await _store.GetAsync(account, created.PeriodKey, CancellationToken.None);
        Assert.Equal(((long?)0, (long?)0, 2_500L), (read!.StripeAmountDue, read.StripeAmountPaid, read.AmountBilled));
        var listed = Assert.Single(await _store.ListInvoicedAsync(account, after: null, 10, CancellationToken.None));
        Assert.Equal(((long?)0, (long?)0), (listed.StripeAmountDue, listed.StripeAmountPaid));
        var raw = (await RawDocuments.ReadAsync(fixture.Containers.Accounts, documentId, account.Value))!;
        Assert.Equal((0L, 0L, 1), ((long)raw["stripeAmountDue"]!, (long)raw["stripeAmountPaid"]!, (int)raw["schemaVersion"]!)); // optional fields: no new schema version
    }

    [Fact]
    public async Task Creating_a_run_that_exists_returns_the_one_stored_first()
    {
        var account = Ids.NewAccount();
        var first = await _store.CreateAsync(Run(account, 2026, 11) with { StripeCustomerId = "cus_first" }, CancellationToken.None);

        var second = await _store.CreateAsync(Run(account, 2026, 11) with { StripeCustomerId = "cus_second", Step = InvoiceRunStep.NothingToBill }, CancellationToken.None);

        AssertSame(first, second);
        Assert.Equal("cus_first", (await _store.GetAsync(account, first.PeriodKey, CancellationToken.None))!.StripeCustomerId);
    }

    [Fact]
    public async Task Parallel_creates_of_one_run_all_get_the_same_stored_run()
    {
        var account = Ids.NewAccount();

        var runs = await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
            Task.Run(() => _store.CreateAsync(Run(account, 2026, 11) with { Attempts = i }, CancellationToken.None))));

        var stored = await _store.GetAsync(account, runs[0].PeriodKey, CancellationToken.None);
        Assert.All(runs, r => AssertSame(stored, r));
    }

    [Fact]
    public async Task A_save_replaces_the_run_and_gives_it_a_new_etag()
    {
        var account = Ids.NewAccount();
        var created = await _store.CreateAsync(Run(account, 2026, 11), CancellationToken.None);

        var saved = await _store.SaveAsync(created with { Step = InvoiceRunStep.DraftCreated, StripeInvoiceId = "in_1", Status = "draft", Attempts = 1, UpdatedAt = Now.AddMinutes(1) }, CancellationToken.None);

        Assert.NotEqual(created.ETag, saved.ETag);
        Assert.Equal((InvoiceRunStep.DraftCreated, "in_1", "draft", 1), (saved.Step, saved.StripeInvoiceId, saved.Status, saved.Attempts));
        AssertSame(saved, await _store.GetAsync(account, created.PeriodKey, CancellationToken.None));

        // The save counter is the store's: the stored value + 1, whatever the run carried.
        var again = await _store.SaveAsync(saved with { Revision = 40 }, CancellationToken.None);
        Assert.Equal((1L, 2L, 3L), (created.Revision, saved.Revision, again.Revision));
    }

    [Fact]
    public async Task A_run_stored_before_revisions_gets_its_first_revision_with_its_next_save()
    {
        var account = Ids.NewAccount();
        var created = await _store.CreateAsync(Run(account, 2026, 11), CancellationToken.None);
        var id = $"invoice-run:{account.Value}:month-2026-11";
        var raw = (await RawDocuments.ReadAsync(fixture.Containers.Accounts, id, account.Value))!;
        raw.Remove("revision");
        await RawDocuments.UpsertAsync(fixture.Containers.Accounts, raw, account.Value);
        var legacy = (await _store.GetAsync(account, created.PeriodKey, CancellationToken.None))!;

        var saved = await _store.SaveAsync(legacy with { Attempts = 2 }, CancellationToken.None);

        Assert.Equal((null, 1L), (legacy.Revision, saved.Revision));
    }

    [Fact]
    public async Task A_save_with_a_stale_etag_throws_a_conflict_and_changes_nothing()
    {
        var account = Ids.NewAccount();
        var created = await _store.CreateAsync(Run(account, 2026, 11), CancellationToken.None);
        var winner = await _store.SaveAsync(created with { Step = InvoiceRunStep.DraftCreated, StripeInvoiceId = "in_winner" }, CancellationToken.None);

        await Assert.ThrowsAsync<InvoiceRunConflictException>(() =>
            _store.SaveAsync(created with { Step = InvoiceRunStep.DraftCreated, StripeInvoiceId = "in_loser" }, CancellationToken.None));
        await Assert.ThrowsAsync<InvoiceRunConflictException>(() =>
            _store.SaveAsync(created with { ETag = "\"00000000-0000-0000-0000-000000000000\"" }, CancellationToken.None));

        AssertSame(winner, await _store.GetAsync(account, created.PeriodKey, CancellationToken.None));
    }

    [Fact]
    public async Task Parallel_saves_from_one_read_let_exactly_one_through()
    {
        var account = Ids.NewAccount();
        var created = await _store.CreateAsync(Run(account, 2026, 11), CancellationToken.None);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            try
            {
                await _store.SaveAsync(created with { StripeInvoiceId = $"in_{i}", Step = InvoiceRunStep.DraftCreated }, CancellationToken.None);
                return true;
            }
            catch (InvoiceRunConflictException)
            {
                return false;
            }
        })));

        Assert.Equal(1, outcomes.Count(saved => saved));
    }

    [Fact]
    public async Task A_run_without_an_etag_or_not_stored_cannot_be_saved()
    {
        var account = Ids.NewAccount();

        await Assert.ThrowsAsync<ArgumentException>(() => _store.SaveAsync(Run(account, 2026, 11), CancellationToken.None));
        await Assert.ThrowsAsync<InvalidOperationException>(() => _store.SaveAsync(Run(account, 2026, 11) with { ETag = "\"x\"" }, CancellationToken.None));
    }

    [Fact]
    public async Task A_save_keeps_fields_a_newer_version_wrote_and_a_newer_schema_is_not_rewritten()
    {
        var account = Ids.NewAccount();
        var created = await _store.CreateAsync(Run(account, 2026, 11), CancellationToken.None);
        var id = $"invoice-run:{account.Value}:month-2026-11";
        var raw = (await RawDocuments.ReadAsync(fixture.Containers.Accounts, id, account.Value))!;
        Assert.Equal(1, (int)raw["schemaVersion"]!); // collected as usual: still what version 1 code rewrites (a paused one is version 2, above)
        raw["futureField"] = "kept";
        raw["lines"]![0]!["futureField"] = "kept in the line";
        await RawDocuments.UpsertAsync(fixture.Containers.Accounts, raw, account.Value);
        var current = (await _store.GetAsync(account, created.PeriodKey, CancellationToken.None))!;

        var saved = await _store.SaveAsync(current with { Attempts = 2, Step = InvoiceRunStep.DraftCreated, StripeCustomerId = "cus_1", StripeInvoiceId = "in_1", Status = "draft" }, CancellationToken.None);

        Assert.Equal(2, saved.Attempts);
        var rewritten = (await RawDocuments.ReadAsync(fixture.Containers.Accounts, id, account.Value))!;
        Assert.Equal(("kept", "kept in the line"), ((string?)rewritten["futureField"], (string?)rewritten["lines"]![0]!["futureField"]));

        // The operators' copy (written with the Stripe invoice) keeps what a newer version wrote in its lines too.
        var entryId = $"invoice-entry:{account.Value}:month-2026-11";
        var entry = (await RawDocuments.ReadAsync(fixture.Containers.Accounts, entryId, "/admin/invoices"))!;
        entry["lines"]![0]!["futureField"] = "kept in the copy's line";
        await RawDocuments.UpsertAsync(fixture.Containers.Accounts, entry, "/admin/invoices");
        saved = await _store.SaveAsync(saved with { Step = InvoiceRunStep.ItemsCreated, UpdatedAt = Now.AddMinutes(1) }, CancellationToken.None);
        Assert.Equal("kept in the copy's line", (string?)(await RawDocuments.ReadAsync(fixture.Containers.Accounts, entryId, "/admin/invoices"))!["lines"]![0]!["futureField"]);

        raw = (await RawDocuments.ReadAsync(fixture.Containers.Accounts, id, account.Value))!;
        raw["schemaVersion"] = 3;
        await RawDocuments.UpsertAsync(fixture.Containers.Accounts, raw, account.Value);
        var newer = (await _store.GetAsync(account, created.PeriodKey, CancellationToken.None))!;
        var refusal = await Assert.ThrowsAsync<InvalidOperationException>(() => _store.SaveAsync(newer with { Attempts = 3 }, CancellationToken.None));
        Assert.Contains("schema version 3", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_list_has_only_the_accounts_invoiced_runs_newest_period_first_up_to_the_limit()
    {
        var account = Ids.NewAccount();
        var other = Ids.NewAccount();
        await StoreAsync(Run(account, 2026, 6) with { Step = InvoiceRunStep.Recorded, StripeInvoiceId = "in_june", Number = "INV-6", Status = "paid" });
        await StoreAsync(Run(account, 2026, 7) with { Step = InvoiceRunStep.NothingToBill });
        await StoreAsync(Run(account, 2026, 8) with { Step = InvoiceRunStep.Finalized, StripeInvoiceId = "in_august", Number = "INV-8", Status = "open" });
        await StoreAsync(Run(account, 2026, 9) with { Step = InvoiceRunStep.Recorded, StripeInvoiceId = "in_september", Number = "INV-9", HostedInvoiceUrl = "https://invoice.stripe.com/i/9" });
        await StoreAsync(Run(account, 2026, 10) with { Step = InvoiceRunStep.ItemsCreated, StripeInvoiceId = "in_october_draft" });
        await StoreAsync(Run(account, 2026, 11) with { Step = InvoiceRunStep.DraftCreated, StripeInvoiceId = "in_november_draft" });
        await StoreAsync(Run(account, 2026, 12));
        await StoreAsync(Run(other, 2026, 10) with { Step = InvoiceRunStep.Recorded, StripeInvoiceId = "in_other" });

        var all = await _store.ListInvoicedAsync(account, null, 100, CancellationToken.None);
        var two = await _store.ListInvoicedAsync(account, null, 2, CancellationToken.None);

        Assert.Equal(["in_september", "in_august", "in_june"], all.Select(r => r.StripeInvoiceId));
        Assert.All(all, r => Assert.Equal(account, r.AccountId));
        Assert.Equal("https://invoice.stripe.com/i/9", all[0].HostedInvoiceUrl);
        Assert.NotNull(all[0].ETag);
        Assert.Equal(["in_september", "in_august"], two.Select(r => r.StripeInvoiceId));
        Assert.Empty(await _store.ListInvoicedAsync(Ids.NewAccount(), null, 10, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _store.ListInvoicedAsync(account, null, 0, CancellationToken.None));
    }

    [Fact]
    public async Task Pending_invoice_spends_are_the_periods_with_usage_ended_in_the_window_whose_run_has_not_spent_however_early_they_started()
    {
        var account = Ids.NewAccount();
        var usage = fixture.Get<IUsageLedger>();
        var longAgo = UsagePeriod.SubscriptionPeriod(new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 10, 1, 0, 0, 0, TimeSpan.Zero)); // no run yet
        var october = Run(account, 2026, 10) with { Step = InvoiceRunStep.CreditApplied }; // spent
        var november = Run(account, 2026, 11); // priced, not spent yet
        foreach (var period in new[] { longAgo, UsagePeriod.CalendarMonth(october.PeriodStart), UsagePeriod.CalendarMonth(november.PeriodStart) })
        {
            Assert.Equal(UsageRecordStatus.Counted, (await Stored.CountOneAsync(usage, account, period, plan: "PRO")).Status);
        }

        await StoreAsync(october);
        await StoreAsync(november);
        var pending = new PendingInvoiceSpends(usage, _store);

        var owed = await pending.ListAsync(account, new DateTimeOffset(2026, 9, 1, 0, 0, 0, TimeSpan.Zero), november.PeriodEnd.AddTicks(1), CancellationToken.None);
        var owedBefore = await pending.ListAsync(account, longAgo.End.AddTicks(1), november.PeriodEnd, CancellationToken.None);

        Assert.Equal([longAgo.End, november.PeriodEnd], owed);
        Assert.Empty(owedBefore);
    }

    /// <summary>Equal field by field (records compare lists by reference).</summary>
    private static void AssertSame(InvoiceRun? expected, InvoiceRun? actual)
    {
        Assert.NotNull(expected);
        Assert.NotNull(actual);
        Assert.Equal(expected with { Lines = NoLines }, actual with { Lines = NoLines });
        Assert.Equal(expected.Lines, actual.Lines);
    }

    [Fact]
    public async Task An_account_with_more_invoices_than_a_page_is_read_page_after_page_every_one_once_in_order()
    {
        // Two years of monthly invoices, a second plan period in every third month, two periods that began at one
        // instant, runs without an invoice and another account's invoices: pages of 4 after the last one's position.
        var account = Ids.NewAccount();
        var other = Ids.NewAccount();
        var start = new DateTimeOffset(2031, 1, 10, 8, 0, 0, TimeSpan.Zero);
        var invoiced = new List<InvoiceRun>();
        for (var month = 0; month < 24; month++)
        {
            var from = start.AddMonths(month);
            var periods = month % 3 == 0
                ? new[] { UsagePeriod.SubscriptionPeriod(from, from.AddDays(12)), UsagePeriod.SubscriptionPeriod(from.AddDays(12), from.AddMonths(1)) }
                : [UsagePeriod.SubscriptionPeriod(from, from.AddMonths(1))];
            foreach (var period in periods)
            {
                invoiced.Add(await _store.CreateAsync(Invoiced(account, period, Ids.NewStripe("in")), CancellationToken.None));
            }

            await StoreAsync(Invoiced(other, UsagePeriod.SubscriptionPeriod(from, from.AddMonths(1)), Ids.NewStripe("in")));
        }

        var tie = new DateTimeOffset(2033, 2, 1, 0, 0, 0, TimeSpan.Zero);
        invoiced.Add(await _store.CreateAsync(Invoiced(account, UsagePeriod.CalendarMonth(tie), Ids.NewStripe("in")), CancellationToken.None));
        invoiced.Add(await _store.CreateAsync(Invoiced(account, UsagePeriod.SubscriptionPeriod(tie, tie.AddDays(5)), Ids.NewStripe("in")), CancellationToken.None));
        await StoreAsync(Invoiced(account, UsagePeriod.CalendarMonth(tie.AddMonths(1)), null));
        var expected = invoiced.OrderByDescending(r => r.PeriodStart).ThenByDescending(r => r.PeriodKey.Value, StringComparer.Ordinal).Select(r => r.RunId).ToList();

        var listed = new List<string>();
        InvoicedRunPosition? after = null;
        var pages = 0;
        while (pages++ <= expected.Count)
        {
            var page = await _store.ListInvoicedAsync(account, after, 4, CancellationToken.None);
            listed.AddRange(page.Select(r => r.RunId));
            if (page.Count < 4)
            {
                break;
            }

            after = InvoicedRunPosition.Of(page[^1]);
        }

        Assert.Equal(34, expected.Count);
        Assert.Equal(expected, listed);
        Assert.Equal(9, pages); // 8 full pages, then the last 2

        // The two periods that began at one instant are the newest: pages of 1 put the boundary between them, which only
        // the id's tie-break crosses (the start alone would skip the second, or list the first again).
        var first = Assert.Single(await _store.ListInvoicedAsync(account, null, 1, CancellationToken.None));
        var second = Assert.Single(await _store.ListInvoicedAsync(account, InvoicedRunPosition.Of(first), 1, CancellationToken.None));
        var third = Assert.Single(await _store.ListInvoicedAsync(account, InvoicedRunPosition.Of(second), 1, CancellationToken.None));
        Assert.Equal(tie, second.PeriodStart);
        Assert.Equal(expected.Take(3), [first.RunId, second.RunId, third.RunId]);
    }

    [Fact]
    public async Task Three_periods_of_each_kind_beginning_at_one_instant_twice_over_are_paged_one_by_one_every_one_once_in_order()
    {
        // The most runs of one account that begin at one instant: a calendar month, a subscription period and a local
        // trial. With the page's position on the smallest key of the newer instant and a page of one, the listing passes
        // over all three of that instant and must read all three of the older one to know which comes first (the store
        // orders the ties as it likes: here, as written, the smallest key first).
        var account = Ids.NewAccount();
        var runs = new List<InvoiceRun>();
        foreach (var start in new[] { new DateTimeOffset(2032, 5, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2032, 4, 1, 0, 0, 0, TimeSpan.Zero) })
        {
            foreach (var period in new[] { UsagePeriod.CalendarMonth(start), UsagePeriod.SubscriptionPeriod(start, start.AddDays(5)), UsagePeriod.LocalTrial(start, start.AddDays(7)) })
            {
                runs.Add(await _store.CreateAsync(Invoiced(account, period, Ids.NewStripe("in")), CancellationToken.None));
            }
        }

        Assert.Equal(NewestFirst(runs), await ListOneByOneAsync(_store, account, pages: 8));
    }

    [Fact]
    public async Task The_invoices_page_on_an_accounts_container_an_earlier_version_created_with_no_index_added_since()
    {
        // An installation provisioned before the invoice listing was paged: its accounts container has only the composite
        // index of the missed-event sweep, and nothing adds indexes to an existing container but a redeploy of the
        // infrastructure (whose index build takes a while on a large container). The listing must page on it.
        var name = "accounts-earlier-" + Guid.NewGuid().ToString("N")[..8];
        var properties = new ContainerProperties(name, "/accountId");
        properties.IndexingPolicy.CompositeIndexes.Add(
        [
            new CompositePath { Path = "/renewsBy", Order = CompositePathSortOrder.Descending },
            new CompositePath { Path = "/accountId", Order = CompositePathSortOrder.Descending },
        ]);
        await fixture.Containers.Database.CreateContainerAsync(properties);
        var options = fixture.Options;
        var earlier = new CosmosOptions { ConnectionString = options.ConnectionString, DatabaseName = options.DatabaseName, AccountsContainerName = name };
        var containers = new BillingContainers(fixture.Get<CosmosClient>(), Microsoft.Extensions.Options.Options.Create(earlier));
        var store = new CosmosInvoiceRunStore(containers, new CosmosInvoiceDirectory(containers));
        var account = Ids.NewAccount();
        var tie = new DateTimeOffset(2031, 3, 1, 0, 0, 0, TimeSpan.Zero);
        var runs = new List<InvoiceRun>
        {
            await store.CreateAsync(Invoiced(account, UsagePeriod.SubscriptionPeriod(tie.AddMonths(-2), tie.AddMonths(-1)), Ids.NewStripe("in")), CancellationToken.None),
            await store.CreateAsync(Invoiced(account, UsagePeriod.CalendarMonth(tie), Ids.NewStripe("in")), CancellationToken.None),
            await store.CreateAsync(Invoiced(account, UsagePeriod.SubscriptionPeriod(tie, tie.AddDays(5)), Ids.NewStripe("in")), CancellationToken.None),
        };

        Assert.Equal(NewestFirst(runs), await ListOneByOneAsync(store, account, pages: 4));
    }

    /// <summary>The run ids in the listing's order: the period's start, then its key, newest first.</summary>
    private static List<string> NewestFirst(IEnumerable<InvoiceRun> runs) =>
        [.. runs.OrderByDescending(r => r.PeriodStart).ThenByDescending(r => r.PeriodKey.Value, StringComparer.Ordinal).Select(r => r.RunId)];

    /// <summary>The account's invoiced runs listed in pages of one, each after the last one's position, <paramref name="pages"/> times.</summary>
    private static async Task<List<string>> ListOneByOneAsync(IInvoiceRunStore store, AccountId account, int pages)
    {
        var listed = new List<string>();
        InvoicedRunPosition? after = null;
        for (var page = 0; page < pages; page++)
        {
            var one = await store.ListInvoicedAsync(account, after, 1, CancellationToken.None);
            listed.AddRange(one.Select(r => r.RunId));
            after = one.Count == 0 ? after : InvoicedRunPosition.Of(one[^1]);
        }

        return listed;
    }

    private static InvoiceRun Invoiced(AccountId account, UsagePeriod period, string? stripeInvoiceId) => new()
    {
        AccountId = account,
        PeriodKey = period.Key,
        PeriodStart = period.Start,
        PeriodEnd = period.End,
        Plan = PlanCode.Parse("PRO"),
        Currency = Currency.Parse("usd"),
        Lines = NoLines,
        Step = stripeInvoiceId is null ? InvoiceRunStep.NothingToBill : InvoiceRunStep.Recorded,
        StripeInvoiceId = stripeInvoiceId,
        Status = stripeInvoiceId is null ? null : "paid",
        CreatedAt = Now,
        UpdatedAt = Now,
    };

    private async Task StoreAsync(InvoiceRun run) => await _store.CreateAsync(run, CancellationToken.None);

    private static InvoiceRun Run(AccountId account, int year, int month)
    {
        var period = UsagePeriod.CalendarMonth(new DateTimeOffset(year, month, 15, 0, 0, 0, TimeSpan.Zero));
        return new InvoiceRun
        {
            AccountId = account,
            PeriodKey = period.Key,
            PeriodStart = period.Start,
            PeriodEnd = period.End,
            Plan = PlanCode.Parse("PRO"),
            Currency = Currency.Parse("usd"),
            Lines = [new InvoiceRunLine(AgentRuns, 6_250, 5_000, 1_250, 2_500, "agent_runs: 1,250 beyond the 5,000 included")],
            Step = InvoiceRunStep.Computed,
            CreatedAt = Now,
            UpdatedAt = Now,
        };
    }
}
