using System.Text.Json.Nodes;
using Billing.Application;
using Billing.Application.Admin;
using Billing.Application.Invoicing;
using Billing.Application.StripeEvents;
using Billing.Application.StripeEvents.Handling;
using Billing.Cosmos.Admin;
using Billing.Cosmos.StripeEvents;
using Billing.Cosmos.Tests.Support;
using Billing.Domain.Accounts;
using Billing.Domain.Metering;
using Billing.Domain.Plans;
using Billing.Domain.Pricing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Billing.Cosmos.Tests.Admin;

/// <summary>The operators' indexes on the local Cosmos server: account summaries, invoice entries, account event history.</summary>
public sealed class OperatorViewIndexTests(CosmosFixture fixture) : IClassFixture<CosmosFixture>
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 2, 0, 5, TimeSpan.Zero);
    private readonly IAccountDirectory _directory = fixture.Get<IAccountDirectory>();

    [Fact]
    public async Task Account_pages_walk_every_match_once_in_id_order_with_filters()
    {
        var tag = "pg" + Guid.NewGuid().ToString("N")[..8];
        var ids = Enumerable.Range(0, 7).Select(i => AccountId.Parse($"{tag}-{i:00}")).ToList();
        foreach (var (id, i) in ids.Select((id, i) => (id, i)))
        {
            await _directory.RecordAsync(Summary(id, i % 2 == 0 ? "PRO" : "FREE", i % 3 == 0 ? "past_due" : "active", version: 1), CancellationToken.None);
        }

        var seen = new List<string>();
        string? after = null;
        var pages = 0;
        do
        {
            var page = await _directory.ListAsync(new AccountDirectoryQuery(null, null, tag, after, 3), CancellationToken.None);
            seen.AddRange(page.Items.Select(s => s.AccountId.Value));
            after = page.HasMore ? page.Items[^1].AccountId.Value : null;
            pages++;
        }
        while (after is not null);

        Assert.Equal(ids.Select(i => i.Value), seen);
        Assert.Equal(3, pages);
        var pro = await _directory.ListAsync(new AccountDirectoryQuery("PRO", null, tag, null, 10), CancellationToken.None);
        Assert.Equal([ids[0], ids[2], ids[4], ids[6]], pro.Items.Select(s => s.AccountId));
        var proPastDue = await _directory.ListAsync(new AccountDirectoryQuery("PRO", "past_due", tag, null, 10), CancellationToken.None);
        Assert.Equal([ids[0], ids[6]], proPastDue.Items.Select(s => s.AccountId));
        Assert.False(proPastDue.HasMore);
    }

    [Fact]
    public async Task Search_finds_the_account_by_part_of_its_customer_id_in_any_case()
    {
        var id = Ids.NewAccount("srch");
        var customer = "cus_" + Guid.NewGuid().ToString("N")[..10].ToUpperInvariant();
        await _directory.RecordAsync(Summary(id, "PRO", "active", 1) with { StripeCustomerId = customer }, CancellationToken.None);

        var page = await _directory.ListAsync(new AccountDirectoryQuery(null, null, customer[4..10].ToLowerInvariant(), null, 10), CancellationToken.None);
        var upper = await _directory.ListAsync(new AccountDirectoryQuery(null, null, id.Value[^10..].ToUpperInvariant(), null, 10), CancellationToken.None);

        Assert.Equal(id, Assert.Single(page.Items).AccountId);
        Assert.Equal(id, Assert.Single(upper.Items).AccountId); // the operator's query in another case than the stored id
    }

    [Fact]
    public async Task A_summary_reads_back_every_field_it_was_recorded_with()
    {
        var id = Ids.NewAccount("rt");
        var summary = Summary(id, "PRO", "past_due", version: 3) with { StripeCustomerId = "cus_" + Guid.NewGuid().ToString("N")[..10], UpdatedAt = Now.AddHours(5) };
        await _directory.RecordAsync(summary, CancellationToken.None);

        var listed = Assert.Single((await _directory.ListAsync(new AccountDirectoryQuery(null, null, id.Value.ToLowerInvariant(), null, 5), CancellationToken.None)).Items);

        Assert.Equal(summary, listed);
    }

    [Fact]
    public async Task An_older_summary_never_replaces_a_newer_one()
    {
        var id = Ids.NewAccount("ver");
        await _directory.RecordAsync(Summary(id, "PRO", "active", version: 5), CancellationToken.None);
        await _directory.RecordAsync(Summary(id, "FREE", "canceled", version: 4), CancellationToken.None);
        var kept = Assert.Single((await _directory.ListAsync(new AccountDirectoryQuery(null, null, id.Value.ToLowerInvariant(), null, 5), CancellationToken.None)).Items);

        await _directory.RecordAsync(Summary(id, "FREE", "canceled", version: 6), CancellationToken.None);
        var newer = Assert.Single((await _directory.ListAsync(new AccountDirectoryQuery(null, null, id.Value.ToLowerInvariant(), null, 5), CancellationToken.None)).Items);

        Assert.Equal(("PRO", 5L), (kept.Plan.Value, kept.AccountVersion));
        Assert.Equal(("FREE", "canceled", 6L), (newer.Plan.Value, newer.Status, newer.AccountVersion));
    }

    [Fact]
    public async Task A_summary_of_the_same_account_version_with_another_plan_and_status_replaces_the_stored_one()
    {
        // A change only time makes (a trial running out) is recorded again, at the same account version, by an
        // operator's read that finds the summary behind the account (data-model.md).
        var id = Ids.NewAccount("same");
        await _directory.RecordAsync(Summary(id, "TRIAL", "trial", version: 3), CancellationToken.None);
        await _directory.RecordAsync(Summary(id, "FREE", "none", version: 3), CancellationToken.None);

        var listed = Assert.Single((await _directory.ListAsync(new AccountDirectoryQuery(null, null, id.Value.ToLowerInvariant(), null, 5), CancellationToken.None)).Items);

        Assert.Equal(("FREE", "none", 3L), (listed.Plan.Value, listed.Status, listed.AccountVersion));
    }

    [Fact]
    public async Task A_first_summary_that_loses_the_create_to_an_older_one_replaces_it()
    {
        // Two copies of a new account race: the older lands between the newer's read (nothing yet) and its create (409).
        var id = Ids.NewAccount("race");
        using var store = new FaultyStore(fixture) { BeforeNextCreateIn = (fixture.Options.AccountsContainerName, () => _directory.RecordAsync(Summary(id, "FREE", "active", version: 1), CancellationToken.None)) };

        await store.AccountDirectory.RecordAsync(Summary(id, "PRO", "active", version: 2), CancellationToken.None);

        var listed = Assert.Single((await _directory.ListAsync(new AccountDirectoryQuery(null, null, id.Value.ToLowerInvariant(), null, 5), CancellationToken.None)).Items);
        Assert.Null(store.BeforeNextCreateIn); // the race happened
        Assert.Equal(("PRO", 2L), (listed.Plan.Value, listed.AccountVersion));
    }

    [Fact]
    public async Task A_summary_rewrite_keeps_fields_a_newer_version_wrote_and_a_newer_schema_is_not_rewritten()
    {
        var id = Ids.NewAccount("schema");
        var documentId = "account-summary:" + id.Value;
        await _directory.RecordAsync(Summary(id, "PRO", "active", version: 1), CancellationToken.None);
        var raw = (await RawDocuments.ReadAsync(fixture.Containers.Accounts, documentId, "/admin/accounts"))!;
        raw["futureField"] = new JsonObject { ["kept"] = true };
        await RawDocuments.UpsertAsync(fixture.Containers.Accounts, raw, "/admin/accounts");

        await _directory.RecordAsync(Summary(id, "PRO", "past_due", version: 2), CancellationToken.None);

        var rewritten = (await RawDocuments.ReadAsync(fixture.Containers.Accounts, documentId, "/admin/accounts"))!;
        Assert.Equal(("past_due", 2L), ((string?)rewritten["status"], (long)rewritten["accountVersion"]!));
        Assert.True((bool?)rewritten["futureField"]?["kept"], "the summary lost the field a newer version wrote");

        rewritten["schemaVersion"] = 2;
        await RawDocuments.UpsertAsync(fixture.Containers.Accounts, rewritten, "/admin/accounts");
        await _directory.RecordAsync(Summary(id, "FREE", "canceled", version: 3), CancellationToken.None);

        var newer = (await RawDocuments.ReadAsync(fixture.Containers.Accounts, documentId, "/admin/accounts"))!;
        Assert.Equal((2, "past_due", 2L), ((int)newer["schemaVersion"]!, (string?)newer["status"], (long)newer["accountVersion"]!));
    }

    [Fact]
    public async Task Invoice_runs_with_a_stripe_invoice_are_listed_by_month_and_status_newest_first()
    {
        var runs = fixture.Get<IInvoiceRunStore>();
        var invoices = fixture.Get<IInvoiceDirectory>();
        var (a, b) = (Ids.NewAccount("inv"), Ids.NewAccount("inv"));
        var month = 1 + Random.Shared.Next(0, 12);
        var year = 2000 + Random.Shared.Next(0, 900); // a month no other test of this class uses
        foreach (var account in (AccountId[])[a, b])
        {
            var created = await runs.CreateAsync(Run(account, year, month) with { Plans = account == a ? "PRO then ENTERPRISE" : null }, CancellationToken.None);
            var drafted = await runs.SaveAsync(created with { Step = InvoiceRunStep.DraftCreated, StripeInvoiceId = "in_" + account.Value, Status = "draft", CreditApplied = account == a ? 1_000 : 0 }, CancellationToken.None);
            await runs.SaveAsync(
                drafted with
                {
                    Step = InvoiceRunStep.Finalized, Status = account == a ? "open" : "paid", Number = "N-" + account.Value, UpdatedAt = Now.AddMinutes(1),
                    StripeCustomerId = "cus_" + account.Value, HostedInvoiceUrl = "https://invoice.stripe.test/" + account.Value, StripeTotal = account == a ? 1_400 : null,
                },
                CancellationToken.None);
        }

        await runs.CreateAsync(Run(Ids.NewAccount("inv"), year, month) with { Step = InvoiceRunStep.NothingToBill, Lines = [] }, CancellationToken.None);
        var monthKey = $"{year:0000}-{month:00}";

        var all = await invoices.ListAsync(new InvoiceDirectoryQuery(monthKey, null, null, 10), CancellationToken.None);
        var paid = await invoices.ListAsync(new InvoiceDirectoryQuery(monthKey, "paid", null, 10), CancellationToken.None);
        var first = await invoices.ListAsync(new InvoiceDirectoryQuery(monthKey, null, null, 1), CancellationToken.None);
        var second = await invoices.ListAsync(new InvoiceDirectoryQuery(monthKey, null, first.Last, 1), CancellationToken.None);
        var both = await invoices.ListAsync(new InvoiceDirectoryQuery(monthKey, null, null, 2), CancellationToken.None);
        var afterBoth = await invoices.ListAsync(new InvoiceDirectoryQuery(monthKey, null, both.Last, 2), CancellationToken.None);

        Assert.Equal(2, all.Items.Count);
        Assert.All(all.Items, r => Assert.Equal(InvoiceRunStep.Finalized, r.Step));
        Assert.Equal(b, Assert.Single(paid.Items).AccountId);
        Assert.True(first.HasMore);
        Assert.False(second.HasMore);
        Assert.Empty(afterBoth.Items); // the cursor is the page's last entry: the next page repeats none of it
        Assert.Equal(all.Items.Select(r => r.AccountId), first.Items.Concat(second.Items).Select(r => r.AccountId));
        Assert.Equal(2_500, all.Items[0].Total);
        Assert.Equal(1_500, all.Items.Single(r => r.AccountId == a).AmountDue); // the credit applied to a's invoice is kept by the index
        Assert.Equal(2_500, all.Items.Single(r => r.AccountId == b).AmountDue);
        Assert.Equal(("PRO then ENTERPRISE", null), (all.Items.Single(r => r.AccountId == a).Plans, all.Items.Single(r => r.AccountId == b).Plans)); // a plan change in the period is kept too
        var entry = all.Items.Single(r => r.AccountId == a); // and what an operator reads of the invoice
        Assert.Equal(("N-" + a.Value, "cus_" + a.Value, "https://invoice.stripe.test/" + a.Value, 1_400L), (entry.Number, entry.StripeCustomerId, entry.HostedInvoiceUrl, entry.StripeTotal));
        Assert.Equal((Now, Now.AddMinutes(1)), (entry.CreatedAt, entry.UpdatedAt));
    }

    [Fact]
    public async Task An_event_applied_or_ignored_for_an_account_appears_in_its_history_newest_first()
    {
        var events = fixture.Get<IStripeEventStore>();
        var history = fixture.Get<IStripeEventHistory>();
        var account = Ids.NewAccount("evt");
        var applied = NewEvent("customer.subscription.updated");
        var ignored = NewEvent("invoice.paid");
        var unlinked = NewEvent("invoice.paid");
        foreach (var e in (NewStripeEvent[])[applied, ignored, unlinked])
        {
            await events.TryAddAsync(e, CancellationToken.None);
            await events.TryBeginProcessingAsync(e.Id, CancellationToken.None);
        }

        await events.MarkAppliedAsync(applied.Id, account, CancellationToken.None);
        await events.MarkIgnoredAsync(ignored.Id, account, "not a usage invoice", CancellationToken.None);
        await events.MarkIgnoredAsync(unlinked.Id, null, "no account", CancellationToken.None);

        var recent = await history.ListRecentAsync(account, 10, CancellationToken.None);

        Assert.Equal([ignored.Id, applied.Id], recent.Select(e => e.EventId)); // newest received first
        var ignoredEntry = Assert.Single(recent, e => e.EventId == ignored.Id);
        Assert.Equal(("ignored", "not a usage invoice", 1), (ignoredEntry.Status, ignoredEntry.Note, ignoredEntry.Attempts));
        Assert.Equal("applied", Assert.Single(recent, e => e.EventId == applied.Id).Status);
        var appliedEntry = Assert.Single(recent, e => e.EventId == applied.Id);
        Assert.Equal(("customer.subscription.updated", Now), (appliedEntry.Type, appliedEntry.Created));
        Assert.NotNull(appliedEntry.CompletedAt);
        var copy = (await RawDocuments.ReadAsync(fixture.Containers.Accounts, $"account-event:{account.Value}:{applied.Id}", account.Value))!;
        Assert.Equal(90 * 24 * 3600, (int)copy["ttl"]!); // kept 90 days (data-model.md)
        Assert.Single(await history.ListRecentAsync(account, 1, CancellationToken.None));
    }

    [Fact]
    public async Task The_history_is_ordered_by_when_each_event_was_received_not_when_it_completed()
    {
        var time = new FakeTimeProvider(Now);
        var history = new CosmosStripeEventHistory(fixture.Containers);
        var events = new CosmosStripeEventStore(fixture.Containers, history, time, NullLogger<CosmosStripeEventStore>.Instance);
        var account = Ids.NewAccount("evtord");
        var earlier = NewEvent("customer.subscription.updated");
        var later = NewEvent("invoice.paid");
        await events.TryAddAsync(earlier, CancellationToken.None);
        time.Advance(TimeSpan.FromMinutes(1));
        await events.TryAddAsync(later, CancellationToken.None);
        foreach (var e in (NewStripeEvent[])[earlier, later])
        {
            await events.TryBeginProcessingAsync(e.Id, CancellationToken.None);
        }

        time.Advance(TimeSpan.FromMinutes(1));
        await events.MarkAppliedAsync(later.Id, account, CancellationToken.None);
        time.Advance(TimeSpan.FromMinutes(1)); // the earlier event completes last (its first attempt failed, say)
        await events.MarkAppliedAsync(earlier.Id, account, CancellationToken.None);

        var recent = await history.ListRecentAsync(account, 10, CancellationToken.None);

        Assert.Equal([(later.Id, Now.AddMinutes(1)), (earlier.Id, Now)], recent.Select(e => (e.EventId, e.ReceivedAt)));
    }

    [Fact]
    public async Task An_event_whose_history_copy_failed_after_its_final_patch_gets_it_from_the_redelivery()
    {
        using var store = new FaultyStore(fixture);
        var history = fixture.Get<IStripeEventHistory>();
        var account = Ids.NewAccount("evtfix");
        var paid = NewEvent("invoice.paid");
        await store.StripeEvents.TryAddAsync(paid, CancellationToken.None);
        var processor = new StripeEventProcessor(
            store.StripeEvents, new TypeOnlyReader(), [new AppliesTo(account)], Options.Create(new StripeModeOptions()), Options.Create(new QueueDeliveryOptions()), NullLogger<StripeEventProcessor>.Instance);
        var message = new StripeEventQueueMessage { EventId = paid.Id };

        store.FailNextCreateIn = fixture.Options.AccountsContainerName; // the history's upsert: the process stops (or the write fails) there
        await Assert.ThrowsAsync<OperatorCopyNotWrittenException>(() => processor.ProcessAsync(message, 1, CancellationToken.None));
        Assert.Equal(StripeEventStatus.Applied, (await store.StripeEvents.GetAsync(paid.Id, CancellationToken.None))!.Status);
        Assert.Empty(await history.ListRecentAsync(account, 10, CancellationToken.None)); // the account view misses an applied event
        await processor.ProcessAsync(message, 2, CancellationToken.None); // the redelivery

        var entry = Assert.Single(await history.ListRecentAsync(account, 10, CancellationToken.None));
        Assert.Equal((paid.Id, "applied", 1), (entry.EventId, entry.Status, entry.Attempts));
    }

    [Fact]
    public async Task A_history_copy_that_could_not_connect_is_a_copy_not_written_so_the_last_delivery_does_not_poison_the_applied_event()
    {
        using var store = new FaultyStore(fixture);
        var account = Ids.NewAccount("evtnet");
        var paid = NewEvent("invoice.paid");
        await store.StripeEvents.TryAddAsync(paid, CancellationToken.None);
        var delivery = new QueueDeliveryOptions();
        var processor = new StripeEventProcessor(
            store.StripeEvents, new TypeOnlyReader(), [new AppliesTo(account)], Options.Create(new StripeModeOptions()), Options.Create(delivery), NullLogger<StripeEventProcessor>.Instance);

        store.DisconnectNextCreateIn = fixture.Options.AccountsContainerName; // the history's upsert finds no connection
        await processor.ProcessAsync(new StripeEventQueueMessage { EventId = paid.Id }, delivery.MaxDequeueCount, CancellationToken.None);

        Assert.Equal(StripeEventStatus.Applied, (await store.StripeEvents.GetAsync(paid.Id, CancellationToken.None))!.Status);
    }

    [Fact]
    public async Task A_runs_index_entry_that_could_not_connect_is_a_copy_not_written()
    {
        using var store = new FaultyStore(fixture);
        var account = Ids.NewAccount("invnet");
        var (year, month) = (2000 + Random.Shared.Next(0, 900), 1 + Random.Shared.Next(0, 12));
        var created = await store.InvoiceRuns.CreateAsync(Run(account, year, month), CancellationToken.None);

        store.DisconnectNextCreateIn = fixture.Options.AccountsContainerName; // the entry's create finds no connection
        await Assert.ThrowsAsync<OperatorCopyNotWrittenException>(() => store.InvoiceRuns.SaveAsync(
            created with { Step = InvoiceRunStep.DraftCreated, StripeInvoiceId = "in_" + account.Value, Status = "draft" }, CancellationToken.None));
        Assert.Equal(InvoiceRunStep.DraftCreated, (await store.InvoiceRuns.GetAsync(account, created.PeriodKey, CancellationToken.None))!.Step);
    }

    [Fact]
    public async Task A_runs_index_entry_that_failed_after_its_last_save_is_written_again_by_the_repair()
    {
        using var store = new FaultyStore(fixture);
        var runs = store.InvoiceRuns;
        var invoices = fixture.Get<IInvoiceDirectory>();
        var account = Ids.NewAccount("invfix");
        var (year, month) = (2000 + Random.Shared.Next(0, 900), 1 + Random.Shared.Next(0, 12));
        var created = await runs.CreateAsync(Run(account, year, month), CancellationToken.None);
        var drafted = await runs.SaveAsync(created with { Step = InvoiceRunStep.DraftCreated, StripeInvoiceId = "in_" + account.Value, Status = "draft" }, CancellationToken.None);
        var finalized = await runs.SaveAsync(drafted with { Step = InvoiceRunStep.Finalized, Status = "open", UpdatedAt = Now.AddMinutes(1) }, CancellationToken.None);

        store.FailNext = (HttpMethod.Put, "invoice-entry"); // the entry's replace after the run's last save
        await Assert.ThrowsAsync<OperatorCopyNotWrittenException>(() => runs.SaveAsync(finalized with { Step = InvoiceRunStep.Recorded, Status = "paid", UpdatedAt = Now.AddMinutes(2) }, CancellationToken.None));
        var stored = (await runs.GetAsync(account, created.PeriodKey, CancellationToken.None))!;
        Assert.Equal((InvoiceRunStep.Recorded, "paid"), (stored.Step, stored.Status));
        Assert.Equal("open", Listed(await invoices.ListAsync(new InvoiceDirectoryQuery($"{year:0000}-{month:00}", null, null, 10), CancellationToken.None)).Status);

        await runs.RecordInIndexAsync(stored, CancellationToken.None); // what the finished job's redelivery does
        await runs.RecordInIndexAsync(finalized, CancellationToken.None); // an older save never replaces it

        var listed = Listed(await invoices.ListAsync(new InvoiceDirectoryQuery($"{year:0000}-{month:00}", "paid", null, 10), CancellationToken.None));
        Assert.Equal((InvoiceRunStep.Recorded, "paid"), (listed.Step, listed.Status));

        InvoiceRun Listed(InvoiceDirectoryPage page) => Assert.Single(page.Items, r => r.AccountId == account);
    }

    [Fact]
    public async Task A_status_a_webhook_saved_is_not_replaced_by_the_entry_of_the_job_s_save_before_it_landing_late()
    {
        var runs = fixture.Get<IInvoiceRunStore>();
        var invoices = fixture.Get<IInvoiceDirectory>();
        var account = Ids.NewAccount("invlate");
        var (year, month) = (2000 + Random.Shared.Next(0, 900), 1 + Random.Shared.Next(0, 12));
        var created = await runs.CreateAsync(Run(account, year, month), CancellationToken.None);
        var drafted = await runs.SaveAsync(created with { Step = InvoiceRunStep.DraftCreated, StripeInvoiceId = "in_" + account.Value, Status = "draft" }, CancellationToken.None);
        var finalized = await runs.SaveAsync(drafted with { Step = InvoiceRunStep.Finalized, Status = "open", UpdatedAt = Now.AddMinutes(1) }, CancellationToken.None);

        // The job records the run open; its instance stalls before the run's index entry is written. Meanwhile invoice.paid,
        // processed on another instance, saves the run paid (InvoiceRunStatusSync keeps the run's updatedAt) with its
        // entry; then the job's entry of its own save lands.
        var recorded = await runs.SaveAsync(finalized with { Step = InvoiceRunStep.Recorded, Status = "open", UpdatedAt = Now.AddMinutes(2) }, CancellationToken.None);
        await runs.SaveAsync(recorded with { Status = "paid" }, CancellationToken.None);
        await runs.RecordInIndexAsync(recorded, CancellationToken.None);

        Assert.Equal("paid", (await runs.GetAsync(account, created.PeriodKey, CancellationToken.None))!.Status);
        var listed = Assert.Single((await invoices.ListAsync(new InvoiceDirectoryQuery($"{year:0000}-{month:00}", null, null, 10), CancellationToken.None)).Items, r => r.AccountId == account);
        Assert.Equal("paid", listed.Status);
    }

    [Fact]
    public async Task A_later_save_from_an_instance_whose_clock_is_behind_still_updates_the_runs_index_entry()
    {
        var runs = fixture.Get<IInvoiceRunStore>();
        var invoices = fixture.Get<IInvoiceDirectory>();
        var account = Ids.NewAccount("invskew");
        var (year, month) = (2000 + Random.Shared.Next(0, 900), 1 + Random.Shared.Next(0, 12));
        var created = await runs.CreateAsync(Run(account, year, month), CancellationToken.None);
        var drafted = await runs.SaveAsync(created with { Step = InvoiceRunStep.DraftCreated, StripeInvoiceId = "in_" + account.Value, Status = "draft", UpdatedAt = Now.AddMinutes(1) }, CancellationToken.None);

        // The job finalizes the run on an instance whose clock is a minute ahead; its redelivery (or invoice.paid) saves
        // the run again on one whose clock is right: the later save has the earlier updatedAt. The run's saves are
        // ordered by its ETag, so the entry must follow the later one.
        var finalized = await runs.SaveAsync(drafted with { Step = InvoiceRunStep.Finalized, Status = "open", UpdatedAt = Now.AddMinutes(3) }, CancellationToken.None);
        var recorded = await runs.SaveAsync(finalized with { Step = InvoiceRunStep.Recorded, Status = "paid", UpdatedAt = Now.AddMinutes(2) }, CancellationToken.None);
        await runs.RecordInIndexAsync(finalized, CancellationToken.None); // the earlier save's entry, landing late, does not replace it

        Assert.True(recorded.Revision > finalized.Revision);
        var listed = Assert.Single((await invoices.ListAsync(new InvoiceDirectoryQuery($"{year:0000}-{month:00}", null, null, 10), CancellationToken.None)).Items, r => r.AccountId == account);
        Assert.Equal((InvoiceRunStep.Recorded, "paid"), (listed.Step, listed.Status));
    }

    [Fact]
    public async Task A_later_save_s_entry_of_an_older_schema_version_is_not_replaced_by_an_earlier_save_s_repair()
    {
        var runs = fixture.Get<IInvoiceRunStore>();
        var invoices = fixture.Get<IInvoiceDirectory>();
        var account = Ids.NewAccount("invschema");
        var (year, month) = (2000 + Random.Shared.Next(0, 900), 1 + Random.Shared.Next(0, 12));
        var created = await runs.CreateAsync(Run(account, year, month), CancellationToken.None);
        var finalized = await runs.SaveAsync(created with { Step = InvoiceRunStep.Finalized, StripeInvoiceId = "in_" + account.Value, Status = "open", UpdatedAt = Now.AddMinutes(1) }, CancellationToken.None);
        await runs.SaveAsync(finalized with { Step = InvoiceRunStep.Recorded, Status = "paid", UpdatedAt = Now.AddMinutes(2) }, CancellationToken.None);

        // The later save's entry as an older build wrote it (during a rolling deploy); then this build's repair of the
        // earlier save lands. (An entry of a newer schema is never rewritten at all.)
        var entryId = $"invoice-entry:{account.Value}:{created.PeriodKey.Value}";
        var entry = (await RawDocuments.ReadAsync(fixture.Containers.Accounts, entryId, "/admin/invoices"))!;
        entry["schemaVersion"] = (int)entry["schemaVersion"]! - 1;
        await RawDocuments.UpsertAsync(fixture.Containers.Accounts, entry, "/admin/invoices");
        await runs.RecordInIndexAsync(finalized, CancellationToken.None);

        var listed = Assert.Single((await invoices.ListAsync(new InvoiceDirectoryQuery($"{year:0000}-{month:00}", null, null, 10), CancellationToken.None)).Items, r => r.AccountId == account);
        Assert.Equal((InvoiceRunStep.Recorded, "paid"), (listed.Step, listed.Status));
    }

    [Fact]
    public async Task An_entry_written_before_revisions_is_ordered_by_updated_at_until_a_save_with_a_revision_replaces_it()
    {
        var runs = fixture.Get<IInvoiceRunStore>();
        var invoices = fixture.Get<IInvoiceDirectory>();
        var account = Ids.NewAccount("invold");
        var (year, month) = (2000 + Random.Shared.Next(0, 900), 1 + Random.Shared.Next(0, 12));
        var created = await runs.CreateAsync(Run(account, year, month), CancellationToken.None);
        var drafted = await runs.SaveAsync(created with { Step = InvoiceRunStep.DraftCreated, StripeInvoiceId = "in_" + account.Value, Status = "draft", UpdatedAt = Now.AddMinutes(3) }, CancellationToken.None);
        var entryId = $"invoice-entry:{account.Value}:{created.PeriodKey.Value}";
        var entry = (await RawDocuments.ReadAsync(fixture.Containers.Accounts, entryId, "/admin/invoices"))!;
        entry.Remove("revision"); // as code from before revisions wrote it
        await RawDocuments.UpsertAsync(fixture.Containers.Accounts, entry, "/admin/invoices");

        var finalized = await runs.SaveAsync(drafted with { Step = InvoiceRunStep.Finalized, Status = "open", UpdatedAt = Now.AddMinutes(2) }, CancellationToken.None);
        Assert.Equal("draft", (await ListedAsync()).Status); // no revision to order them: the earlier updatedAt loses, as before
        await runs.SaveAsync(finalized with { Step = InvoiceRunStep.Recorded, Status = "open", UpdatedAt = Now.AddMinutes(4) }, CancellationToken.None);
        await runs.RecordInIndexAsync(finalized, CancellationToken.None); // from now on the revision orders them

        Assert.Equal(InvoiceRunStep.Recorded, (await ListedAsync()).Step);

        async Task<InvoiceRun> ListedAsync() => Assert.Single((await invoices.ListAsync(new InvoiceDirectoryQuery($"{year:0000}-{month:00}", null, null, 10), CancellationToken.None)).Items, r => r.AccountId == account);
    }

    private static AccountSummary Summary(AccountId id, string plan, string status, long version) => new()
    {
        AccountId = id,
        Plan = PlanCode.Parse(plan),
        Status = status,
        AccountVersion = version,
        CreatedAt = Now,
        UpdatedAt = Now,
    };

    private static NewStripeEvent NewEvent(string type) => new()
    {
        Id = Ids.NewStripe("evt"),
        Type = type,
        Created = Now,
        Livemode = false,
        ApiVersion = "2026-10-28.endive",
        Payload = "{}",
    };

    /// <summary>Reads only what the processor needs to pick a handler.</summary>
    private sealed class TypeOnlyReader : IStripeEventPayloadReader
    {
        public StripeEventPayload Read(string payload) => new() { Id = "evt", Type = "invoice.paid", Created = Now };
    }

    /// <summary>Applies every <c>invoice.paid</c> to one account.</summary>
    private sealed class AppliesTo(AccountId account) : IStripeEventTypeHandler
    {
        public IReadOnlySet<string> EventTypes { get; } = new HashSet<string>(StringComparer.Ordinal) { "invoice.paid" };

        public Task<StripeEventHandlingResult> HandleAsync(StripeEventPayload stripeEvent, CancellationToken cancellationToken) =>
            Task.FromResult(StripeEventHandlingResult.Applied(account));
    }

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
            Lines = [new InvoiceRunLine(MeterName.Parse("agent_runs"), 6_250, 5_000, 1_250, 2_500, "agent_runs: 1,250 beyond the 5,000 included")],
            Step = InvoiceRunStep.Computed,
            CreatedAt = Now,
            UpdatedAt = Now,
        };
    }
}
