using System.Text.Json.Nodes;
using Billing.Application.Accounts;
using Billing.Application.Admin;
using Billing.Cosmos.Accounts;
using Billing.Cosmos.Tests.Support;
using Billing.Domain.Accounts;
using Billing.Domain.Credits;
using Billing.Domain.Metering;
using Billing.Domain.Plans;
using Billing.Domain.Pricing;
using Billing.Domain.Subscriptions;
using Billing.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Billing.Cosmos.Tests.Accounts;

public sealed class CosmosBillingAccountStoreTests(CosmosFixture fixture) : IClassFixture<CosmosFixture>
{
    private readonly IBillingAccountStore _store = fixture.Get<IBillingAccountStore>();

    [Fact]
    public async Task Unknown_account_reads_as_null()
    {
        Assert.Null(await _store.GetAsync(Ids.NewAccount(), CancellationToken.None));
    }

    [Fact]
    public async Task Twenty_parallel_get_or_create_make_one_document_that_everyone_sees()
    {
        var id = Ids.NewAccount();

        var accounts = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => _store.GetOrCreateAsync(id, CancellationToken.None))));

        var stored = await _store.GetAsync(id, CancellationToken.None);
        Assert.NotNull(stored);
        Assert.Equal(1, stored.Version);
        Assert.All(accounts, a => Assert.Equal(stored, a)); // every caller got the stored document, not its own draft
        var documents = (await RawDocuments.ReadAllAsync(fixture.Containers.Accounts))
            .Where(d => d.GetProperty("accountId").GetString() == id.Value)
            .ToList();
        var document = Assert.Single(documents);
        Assert.Equal("account", document.GetProperty("type").GetString());
    }

    [Fact]
    public async Task Of_parallel_creates_of_one_account_exactly_one_gets_it_and_the_rest_null()
    {
        var id = Ids.NewAccount();

        var created = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Task.Run(() => _store.CreateAsync(id, CancellationToken.None))));

        var winner = Assert.Single(created, a => a is not null);
        Assert.Equal(await _store.GetAsync(id, CancellationToken.None), winner);
        Assert.Null(await _store.CreateAsync(id, CancellationToken.None)); // and later ones too
    }

    [Fact]
    public async Task Ten_parallel_updates_all_land()
    {
        var id = Ids.NewAccount();
        await _store.GetOrCreateAsync(id, CancellationToken.None);
        var calls = 0;

        await Task.WhenAll(Enumerable.Range(0, 10).Select(i => Task.Run(() => _store.UpdateAsync(
            id,
            account =>
            {
                Interlocked.Increment(ref calls);
                return account with { UpdatedAt = account.UpdatedAt.AddSeconds(1) };
            },
            CancellationToken.None))));

        var stored = await _store.GetAsync(id, CancellationToken.None);
        Assert.Equal(11, stored!.Version); // created as 1, then ten writes, each based on the one before
        Assert.True(calls >= 10);
    }

    [Fact]
    public async Task Concurrent_changes_to_different_fields_are_all_kept()
    {
        var id = Ids.NewAccount();
        await _store.GetOrCreateAsync(id, CancellationToken.None);
        var catalog = TestCatalog.Create();
        var now = new DateTimeOffset(2026, 11, 21, 10, 0, 0, TimeSpan.Zero);

        // Three changes that do not exclude each other (an ended subscription does not block the trial).
        var wrote = new bool[3];
        Func<BillingAccount, BillingAccount?> Recording(int slot, Func<BillingAccount, BillingAccount?> change) => a =>
        {
            var next = change(a);
            wrote[slot] = next is not null;
            return next;
        };

        await Task.WhenAll(
            Task.Run(() => _store.UpdateAsync(id, Recording(0, a => a.AssignStripeCustomer("cus_1") is { Changed: true } r ? r.Account : null), CancellationToken.None)),
            Task.Run(() => _store.UpdateAsync(id, Recording(1, a => a.StartLocalTrial(catalog, now) is { Changed: true } r ? r.Account : null), CancellationToken.None)),
            Task.Run(() => _store.UpdateAsync(
                id,
                Recording(2, a => a.ApplySubscriptionSnapshot(
                    new SubscriptionSnapshot { SubscriptionId = "sub_1", CustomerId = "cus_1", Status = SubscriptionStatus.Canceled, EndedAt = now, AsOf = now },
                    catalog, TimeSpan.Zero) is { Changed: true } r ? r.Account : null),
                CancellationToken.None)));

        var stored = await _store.GetAsync(id, CancellationToken.None);
        Assert.Equal("cus_1", stored!.StripeCustomerId);
        Assert.NotNull(stored.LocalTrial);
        Assert.Equal("sub_1", stored.Subscription!.SubscriptionId);
        // The snapshot also sets the customer when it lands first; then the assignment has nothing left to write.
        Assert.Equal(1 + wrote.Count(w => w), stored.Version);
        Assert.True(wrote[1] && wrote[2]);
    }

    [Fact]
    public async Task Two_racing_customer_assignments_keep_exactly_one_customer()
    {
        var id = Ids.NewAccount();
        await _store.GetOrCreateAsync(id, CancellationToken.None);

        var results = await Task.WhenAll(new[] { "cus_A", "cus_B" }.Select(customer => Task.Run(async () =>
        {
            StripeCustomerAssignmentOutcome outcome = default;
            var account = await _store.UpdateAsync(
                id,
                a =>
                {
                    var result = a.AssignStripeCustomer(customer);
                    outcome = result.Outcome;
                    return result.Changed ? result.Account : null;
                },
                CancellationToken.None);
            return (customer, outcome, account.StripeCustomerId);
        })));

        var winner = Assert.Single(results, r => r.outcome == StripeCustomerAssignmentOutcome.Assigned);
        var loser = Assert.Single(results, r => r.outcome == StripeCustomerAssignmentOutcome.KeptExisting);
        Assert.Equal(winner.customer, loser.StripeCustomerId); // the loser is told which customer to use
        Assert.Equal(winner.customer, (await _store.GetAsync(id, CancellationToken.None))!.StripeCustomerId);
    }

    [Fact]
    public async Task A_change_returning_null_writes_nothing()
    {
        var id = Ids.NewAccount();
        var created = await _store.GetOrCreateAsync(id, CancellationToken.None);
        var before = await RawDocuments.ReadAsync(fixture.Containers.Accounts, "account:" + id.Value, id.Value);

        var result = await _store.UpdateAsync(id, _ => null, CancellationToken.None);
        var unchanged = await _store.UpdateAsync(id, a => a with { }, CancellationToken.None);

        var after = await RawDocuments.ReadAsync(fixture.Containers.Accounts, "account:" + id.Value, id.Value);
        Assert.Equal(created, result);
        Assert.Equal(created, unchanged);
        Assert.Equal((string?)before!["_etag"], (string?)after!["_etag"]);
    }

    [Fact]
    public async Task An_update_that_changes_the_account_id_throws_and_writes_nothing()
    {
        var (id, other) = (Ids.NewAccount(), Ids.NewAccount());
        await _store.GetOrCreateAsync(id, CancellationToken.None);
        var before = await RawDocuments.ReadAsync(fixture.Containers.Accounts, "account:" + id.Value, id.Value);

        await Assert.ThrowsAsync<InvalidOperationException>(() => _store.UpdateAsync(id, a => a.AssignStripeCustomer("cus_moved").Account with { Id = other }, CancellationToken.None));

        var after = await RawDocuments.ReadAsync(fixture.Containers.Accounts, "account:" + id.Value, id.Value);
        Assert.Equal((string?)before!["_etag"], (string?)after?["_etag"]);
        Assert.Null(await _store.GetAsync(other, CancellationToken.None));
    }

    [Fact]
    public async Task Updating_a_missing_account_throws()
    {
        await Assert.ThrowsAsync<BillingAccountNotFoundException>(() => _store.UpdateAsync(Ids.NewAccount(), a => a, CancellationToken.None));
    }

    [Fact]
    public async Task A_full_account_round_trips()
    {
        var id = Ids.NewAccount();
        await _store.GetOrCreateAsync(id, CancellationToken.None);
        var t = new DateTimeOffset(2026, 11, 21, 10, 0, 0, 123, TimeSpan.Zero);
        BillingAccount Fill(BillingAccount a) => a with
        {
            StripeCustomerId = "cus_rt",
            TrialUsedAt = t,
            LastPaidPlan = PlanCode.Parse("BASIC"), // what a grace period grants: lost on the next write if not stored
            CustomerGeneration = 2,
            OpenCheckout = new OpenCheckout { SessionId = "cs_rt", Url = new Uri("https://checkout.stripe.com/c/pay/cs_rt"), PlanCode = PlanCode.Parse("PRO"), Interval = BillingInterval.Month, PriceId = "price_pro", ExpiresAt = t.AddHours(23), TrialDays = 14, SuccessUrl = "https://app.example/ok", CancelUrl = "https://app.example/back" },
            LocalTrial = new LocalTrial { PlanCode = PlanCode.Parse("TRIAL"), StartedAt = t, EndsAt = t.AddDays(14) },
            Subscription = new SubscriptionState
            {
                SubscriptionId = "sub_rt",
                CustomerId = "cus_rt",
                Status = SubscriptionStatus.From("some_new_status"),
                PlanCode = PlanCode.Parse("PRO"),
                PriceId = "price_pro",
                Interval = BillingInterval.Year,
                CurrentPeriodStart = t,
                CurrentPeriodEnd = t.AddYears(1),
                CancelAtPeriodEnd = true,
                CancelAt = t.AddYears(1),
                CanceledAt = t.AddDays(1),
                EndedAt = t.AddDays(4),
                TrialStart = t,
                TrialEnd = t.AddDays(7),
                LatestInvoiceId = "in_rt",
                PastDueSince = t.AddDays(2),
                StripeStateAsOf = t.AddDays(3),
                PeriodEndedEarly = UsagePeriod.SubscriptionPeriod(t.AddMonths(-1), t),
            },
        };

        var updated = await _store.UpdateAsync(id, Fill, CancellationToken.None);
        var read = await _store.GetAsync(id, CancellationToken.None);

        Assert.Equal(updated, read);
        Assert.Equal(Fill(read!) with { Version = read!.Version, UpdatedAt = read.UpdatedAt }, read);
    }

    [Fact]
    public async Task An_update_is_dated_by_the_clock_and_keeps_when_the_account_was_created()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 21, 10, 0, 0, TimeSpan.Zero));
        var store = new CosmosBillingAccountStore(fixture.Containers, [], Options.Create(fixture.Options), time, NullLogger<CosmosBillingAccountStore>.Instance);
        var id = Ids.NewAccount();
        await store.GetOrCreateAsync(id, CancellationToken.None);
        time.Advance(TimeSpan.FromHours(3));

        await store.UpdateAsync(id, a => a.AssignStripeCustomer("cus_dated").Account, CancellationToken.None);
        var read = (await store.GetAsync(id, CancellationToken.None))!;

        Assert.Equal((time.Start, time.Start.AddHours(3), 2L), (read.CreatedAt, read.UpdatedAt, read.Version));
    }

    [Fact]
    public async Task The_listeners_are_told_of_each_committed_create_and_changed_update_and_of_nothing_else()
    {
        var listener = new RecordingListener();
        var store = new CosmosBillingAccountStore(fixture.Containers, [listener], Options.Create(fixture.Options), TimeProvider.System, NullLogger<CosmosBillingAccountStore>.Instance);
        var id = Ids.NewAccount();

        await store.GetOrCreateAsync(id, CancellationToken.None); // a create
        await store.GetOrCreateAsync(id, CancellationToken.None); // a read
        Assert.Null(await store.CreateAsync(id, CancellationToken.None)); // a create that lost (409)
        await store.GetAsync(id, CancellationToken.None);
        await store.UpdateAsync(id, _ => null, CancellationToken.None);
        await store.UpdateAsync(id, a => a.AssignStripeCustomer("cus_told").Account, CancellationToken.None); // a change
        await store.UpdateAsync(id, a => a with { }, CancellationToken.None); // no change

        Assert.Equal([(id, 1L, null), (id, 2L, "cus_told")], listener.Told.Select(a => (a.Id, a.Version, a.StripeCustomerId)));
    }

    [Fact]
    public async Task Every_duplicate_subscription_and_former_customer_round_trips()
    {
        var id = Ids.NewAccount();
        await _store.GetOrCreateAsync(id, CancellationToken.None);
        var t = new DateTimeOffset(2026, 11, 21, 10, 0, 0, 123, TimeSpan.Zero);
        DuplicateSubscriptionResolution[] duplicates =
        [
            new() { SubscriptionId = "sub_dup_paid", KeptSubscriptionId = "sub_kept", Refunded = new Money(1_900, Currency.Parse("eur")), ResolvedAt = t }, // not the usual usd: the currency is stored too
            new() { SubscriptionId = "sub_dup_trial", KeptSubscriptionId = "sub_kept", ResolvedAt = t.AddMinutes(5) }, // nothing paid, nothing refunded
        ];

        await _store.UpdateAsync(
            id,
            a => a.RecordDuplicateResolved(duplicates[0]).RecordDuplicateResolved(duplicates[1]).ForgetStripeCustomer("cus_first").ForgetStripeCustomer("cus_second"),
            CancellationToken.None);
        var read = (await _store.GetAsync(id, CancellationToken.None))!;

        Assert.Equal(duplicates, read.DuplicateSubscriptions);
        Assert.Equal(["cus_first", "cus_second"], read.FormerStripeCustomerIds);
    }

    [Fact]
    public async Task Add_ons_round_trip_with_their_revocation()
    {
        var id = Ids.NewAccount();
        await _store.GetOrCreateAsync(id, CancellationToken.None);
        var t = new DateTimeOffset(2026, 11, 21, 10, 0, 0, 123, TimeSpan.Zero);
        var kept = new MeterAddOn { GrantId = "cs:kept", Code = "EXTRA_AGENT_RUNS", Meter = MeterName.Parse("agent_runs"), Units = 500, GrantedAt = t, ExpiresAt = t.AddDays(30), PeriodKey = UsagePeriodKey.Parse("sub-20261021T100000Z"), PaymentIntentId = "pi_kept" };
        var revoked = kept with { GrantId = "cs:revoked", PaymentIntentId = "pi_revoked", ExpiresAt = null, PeriodKey = null, RevokedAt = t.AddDays(2) };

        await _store.UpdateAsync(id, a => a with { AddOns = [kept, revoked] }, CancellationToken.None);
        var read = await _store.GetAsync(id, CancellationToken.None);

        Assert.Equal([kept, revoked], read!.AddOns);
    }

    [Fact]
    public async Task Early_reversals_round_trip_and_an_account_without_any_stores_none()
    {
        var id = Ids.NewAccount();
        await _store.GetOrCreateAsync(id, CancellationToken.None);
        var t = new DateTimeOffset(2026, 11, 21, 10, 0, 0, 123, TimeSpan.Zero);

        var plain = await _store.GetAsync(id, CancellationToken.None);
        await _store.UpdateAsync(id, a => a.NoteEarlyReversal("pi_1", t).NoteEarlyReversal("pi_2", t.AddDays(1)), CancellationToken.None);
        var read = await _store.GetAsync(id, CancellationToken.None);

        Assert.Empty(plain!.EarlyReversals);
        Assert.Equal([new EarlyReversal("pi_1", t), new EarlyReversal("pi_2", t.AddDays(1))], read!.EarlyReversals);
        Assert.True(read.WasReversedEarly("pi_2"));
    }

    [Fact]
    public async Task Having_paid_once_round_trips_without_a_plan_last_paid_and_is_read_from_one_written_before_it()
    {
        var (paidOnce, before) = (Ids.NewAccount(), Ids.NewAccount());
        await _store.GetOrCreateAsync(paidOnce, CancellationToken.None);
        await _store.GetOrCreateAsync(before, CancellationToken.None);

        // A former paying customer on a new, unpaid subscription: no plan last paid for, still a former customer.
        await _store.UpdateAsync(paidOnce, a => a with { EverPaid = true, LastPaidPlan = null }, CancellationToken.None);
        var raw = (await RawDocuments.ReadAsync(fixture.Containers.Accounts, "account:" + before.Value, before.Value))!;
        raw["lastPaidPlan"] = "PRO"; // as a version without the field wrote a paying account
        await RawDocuments.UpsertAsync(fixture.Containers.Accounts, raw, before.Value);

        Assert.True((await _store.GetAsync(paidOnce, CancellationToken.None))!.EverPaid);
        Assert.True((await _store.GetAsync(before, CancellationToken.None))!.EverPaid);
        Assert.False((await _store.GetOrCreateAsync(Ids.NewAccount(), CancellationToken.None)).EverPaid);
    }

    [Fact]
    public async Task Fields_written_by_a_newer_version_survive_an_update()
    {
        var id = Ids.NewAccount();
        await _store.GetOrCreateAsync(id, CancellationToken.None);
        var raw = (await RawDocuments.ReadAsync(fixture.Containers.Accounts, "account:" + id.Value, id.Value))!;
        raw["futureField"] = new JsonObject { ["kept"] = true };
        await RawDocuments.UpsertAsync(fixture.Containers.Accounts, raw, id.Value);

        await _store.UpdateAsync(id, a => a.AssignStripeCustomer("cus_future").Account, CancellationToken.None);

        var after = (await RawDocuments.ReadAsync(fixture.Containers.Accounts, "account:" + id.Value, id.Value))!;
        Assert.True((bool?)after["futureField"]!["kept"]);
        Assert.Equal("cus_future", (string?)after["stripeCustomerId"]);
    }

    [Fact]
    public async Task Nested_fields_written_by_a_newer_version_survive_an_update_each_in_its_own_part()
    {
        var id = Ids.NewAccount();
        await _store.GetOrCreateAsync(id, CancellationToken.None);
        var t = new DateTimeOffset(2026, 11, 21, 10, 0, 0, TimeSpan.Zero);
        MeterAddOn AddOn(string grant, string paymentIntent) => new()
        {
            GrantId = grant, Code = "EXTRA_PROJECTS_5", Meter = MeterName.Parse("projects"), Units = 5, GrantedAt = t, PaymentIntentId = paymentIntent,
        };
        DuplicateSubscriptionResolution Duplicate(string subscription) => new() { SubscriptionId = subscription, KeptSubscriptionId = "sub_n", ResolvedAt = t };
        await _store.UpdateAsync(
            id,
            a => (a with
            {
                LocalTrial = new LocalTrial { PlanCode = PlanCode.Parse("TRIAL"), StartedAt = t, EndsAt = t.AddDays(14) },
                Subscription = new SubscriptionState
                {
                    SubscriptionId = "sub_n", CustomerId = "cus_n", Status = SubscriptionStatus.Active, StripeStateAsOf = t, PeriodEndedEarly = UsagePeriod.SubscriptionPeriod(t.AddMonths(-1), t),
                },
                OpenCheckout = new OpenCheckout { SessionId = "cs_n", Url = new Uri("https://checkout.example/cs_n"), PlanCode = PlanCode.Parse("PRO"), Interval = BillingInterval.Month, PriceId = "price_pro", ExpiresAt = t.AddDays(1) },
            }).RecordDuplicateResolved(Duplicate("sub_dup_a")).RecordDuplicateResolved(Duplicate("sub_dup_b"))
              .GrantAddOn(AddOn("cs:a", "pi_a")).GrantAddOn(AddOn("cs:b", "pi_b")).NoteEarlyReversal("pi_early_a", t).NoteEarlyReversal("pi_early_b", t),
            CancellationToken.None);

        // A newer version wrote members this one does not know inside each nested part, each part its own.
        string[] paths =
        [
            "subscription", "subscription/periodEndedEarly", "localTrial", "openCheckout", "addOns/0", "addOns/1",
            "duplicateSubscriptions/0", "duplicateSubscriptions/1", "earlyReversals/0", "earlyReversals/1",
        ];
        var raw = (await RawDocuments.ReadAsync(fixture.Containers.Accounts, "account:" + id.Value, id.Value))!;
        foreach (var path in paths)
        {
            Part(raw, path)["futureField"] = new JsonObject { ["of"] = path };
        }

        await RawDocuments.UpsertAsync(fixture.Containers.Accounts, raw, id.Value);

        // This version rewrites the document, changing a top-level field and a known field of one add-on.
        await _store.UpdateAsync(id, a => a.RevokeAddOn("pi_a", t.AddDays(2)) with { StripeCustomerId = "cus_n" }, CancellationToken.None);

        var after = (await RawDocuments.ReadAsync(fixture.Containers.Accounts, "account:" + id.Value, id.Value))!;
        Assert.Equal("cus_n", (string?)after["stripeCustomerId"]);
        Assert.NotNull((string?)after["addOns"]![0]!["revokedAt"]);
        foreach (var path in paths)
        {
            Assert.Equal(path, (string?)Part(after, path)["futureField"]?["of"]);
        }

        // A nested part replaced by another one (another Checkout Session, another ended period, another subscription)
        // does not inherit the old one's members.
        await _store.UpdateAsync(
            id,
            a => a with { OpenCheckout = a.OpenCheckout! with { SessionId = "cs_other" }, Subscription = a.Subscription! with { PeriodEndedEarly = UsagePeriod.SubscriptionPeriod(t, t.AddDays(3)) } },
            CancellationToken.None);
        var replaced = (await RawDocuments.ReadAsync(fixture.Containers.Accounts, "account:" + id.Value, id.Value))!;
        Assert.Null(replaced["openCheckout"]!["futureField"]);
        Assert.Null(replaced["subscription"]!["periodEndedEarly"]!["futureField"]);
        Assert.Equal("subscription", (string?)replaced["subscription"]!["futureField"]?["of"]);
        Assert.Equal("localTrial", (string?)replaced["localTrial"]!["futureField"]?["of"]);

        await _store.UpdateAsync(id, a => a with { Subscription = a.Subscription! with { SubscriptionId = "sub_other" } }, CancellationToken.None);
        var another = (await RawDocuments.ReadAsync(fixture.Containers.Accounts, "account:" + id.Value, id.Value))!;
        Assert.Null(another["subscription"]!["futureField"]);

        static JsonNode Part(JsonNode document, string path) => path.Split('/') switch
        {
            [var name] => document[name]!,
            [var name, var index] when int.TryParse(index, System.Globalization.CultureInfo.InvariantCulture, out var i) => document[name]![i]!,
            [var name, var member] => document[name]![member]!,
            _ => throw new ArgumentException(path, nameof(path)),
        };
    }

    [Fact]
    public async Task A_document_from_a_newer_schema_is_not_rewritten()
    {
        var id = Ids.NewAccount();
        await _store.GetOrCreateAsync(id, CancellationToken.None);
        var raw = (await RawDocuments.ReadAsync(fixture.Containers.Accounts, "account:" + id.Value, id.Value))!;
        raw["schemaVersion"] = 3;
        await RawDocuments.UpsertAsync(fixture.Containers.Accounts, raw, id.Value);

        Assert.NotNull(await _store.GetAsync(id, CancellationToken.None));
        await Assert.ThrowsAsync<InvalidOperationException>(() => _store.UpdateAsync(id, a => a.AssignStripeCustomer("cus_x").Account, CancellationToken.None));
    }

    private sealed class RecordingListener : IAccountChangeListener
    {
        public List<BillingAccount> Told { get; } = [];

        public Task AccountChangedAsync(BillingAccount account, CancellationToken cancellationToken)
        {
            Told.Add(account);
            return Task.CompletedTask;
        }
    }
}
