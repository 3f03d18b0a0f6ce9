using System.Text.Json.Nodes;
using Billing.Application.Accounts;
using Billing.Application.Admin;
using Billing.Application.Invoicing;
using Billing.Application.Subscriptions;
using Billing.Cosmos.Tests.Support;
using Billing.Domain.Accounts;
using Billing.Domain.Plans;
using Billing.Domain.Subscriptions;
using Billing.TestSupport;

namespace Billing.Cosmos.Tests.Subscriptions;

/// <summary>Own fixture (own database): the position is one document per container, and the listings span it.</summary>
public sealed class CosmosMissedEventSweepPositionStoreTests(CosmosFixture fixture) : IClassFixture<CosmosFixture>
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly IMissedEventSweepPositionStore _positions = fixture.Get<IMissedEventSweepPositionStore>();
    private readonly PlanCatalog _catalog = TestCatalog.Create();

    [Fact]
    public async Task The_position_round_trips_in_its_own_partition_and_a_stale_etag_or_second_create_writes_nothing()
    {
        var listed = new RenewalOverdue(Ids.NewAccount(), new DateTimeOffset(2026, 11, 30, 10, 0, 0, TimeSpan.Zero).AddTicks(1234567));
        Assert.Null(await _positions.GetAsync(CancellationToken.None));

        var before = DateTimeOffset.UtcNow;
        var created = await _positions.TryWriteAsync(listed, null, CancellationToken.None);
        var read = await _positions.GetAsync(CancellationToken.None);

        Assert.NotNull(created);
        Assert.Equal(listed, read!.After);
        Assert.Equal(created, read.ETag);
        Assert.InRange(read.WrittenAt, before.AddSeconds(-1), DateTimeOffset.UtcNow.AddSeconds(1));
        var raw = await RawDocuments.ReadAsync(fixture.Containers.Accounts, "sweep-position:missed-event-sweep", "/jobs/missed-event-sweep");
        Assert.Equal("sweepPosition", (string?)raw!["type"]);
        Assert.Equal("/jobs/missed-event-sweep", (string?)raw["accountId"]);
        Assert.Equal(listed.AccountId.Value, (string?)raw["afterAccountId"]);
        Assert.Equal("2026-11-30T10:00:00.1234567Z", (string?)raw["afterRenewsBy"]);
        Assert.False(raw.ContainsKey("renewsBy"));

        Assert.Null(await _positions.TryWriteAsync(null, null, CancellationToken.None)); // another run created it first
        var moved = await _positions.TryWriteAsync(null, created, CancellationToken.None); // the end of a lap: the top next
        Assert.NotNull(moved);
        Assert.NotEqual(created, moved);
        Assert.Null(await _positions.TryWriteAsync(listed, created, CancellationToken.None)); // a run that read it before it moved
        var stored = await _positions.GetAsync(CancellationToken.None);
        Assert.Null(stored!.After);
        Assert.Equal(moved, stored.ETag);
    }

    [Fact]
    public async Task A_position_write_keeps_fields_a_newer_version_wrote_and_a_newer_schema_is_not_rewritten()
    {
        const string id = "sweep-position:missed-event-sweep", partition = "/jobs/missed-event-sweep";
        try
        {
            var first = await _positions.GetAsync(CancellationToken.None);
            Assert.NotNull(await _positions.TryWriteAsync(null, first?.ETag, CancellationToken.None));
            var raw = (await RawDocuments.ReadAsync(fixture.Containers.Accounts, id, partition))!;
            raw["futureField"] = new JsonObject { ["kept"] = true };
            await RawDocuments.UpsertAsync(fixture.Containers.Accounts, raw, partition);

            var listed = new RenewalOverdue(Ids.NewAccount(), Now);
            Assert.NotNull(await _positions.TryWriteAsync(listed, (await _positions.GetAsync(CancellationToken.None))!.ETag, CancellationToken.None));

            var rewritten = (await RawDocuments.ReadAsync(fixture.Containers.Accounts, id, partition))!;
            Assert.Equal(listed.AccountId.Value, (string?)rewritten["afterAccountId"]);
            Assert.True((bool?)rewritten["futureField"]?["kept"], "the position lost the field a newer version wrote");

            rewritten["schemaVersion"] = 2;
            await RawDocuments.UpsertAsync(fixture.Containers.Accounts, rewritten, partition);
            var newer = (await _positions.GetAsync(CancellationToken.None))!;
            await Assert.ThrowsAsync<InvalidOperationException>(() => _positions.TryWriteAsync(null, newer.ETag, CancellationToken.None));
            var kept = (await RawDocuments.ReadAsync(fixture.Containers.Accounts, id, partition))!;
            Assert.Equal((2, listed.AccountId.Value), ((int)kept["schemaVersion"]!, (string?)kept["afterAccountId"]));
        }
        finally
        {
            // The position is one document per container, which the other tests of this class write too.
            await fixture.Containers.Accounts.DeleteItemStreamAsync(id, new Microsoft.Azure.Cosmos.PartitionKey(partition));
        }
    }

    [Fact]
    public async Task No_listing_of_the_accounts_container_returns_the_position()
    {
        var overdue = new List<AccountId>();
        foreach (var days in new[] { 3, 2, 1 })
        {
            overdue.Add(await SubscribedAsync(Now.AddDays(-days)));
        }

        // A position more recently due than any account, so a query that matched it would list it first.
        var stored = await _positions.GetAsync(CancellationToken.None);
        Assert.NotNull(await _positions.TryWriteAsync(new RenewalOverdue(Ids.NewAccount(), Now.AddMinutes(-1)), stored?.ETag, CancellationToken.None));

        var renewalQuery = fixture.Get<IAccountRenewalQuery>();
        Assert.Equal([.. overdue.AsEnumerable().Reverse()], (await renewalQuery.ListRenewalOverdueAsync(Now, null, overdue.Count, CancellationToken.None)).Select(d => d.AccountId));
        Assert.Equal(overdue.Count, (await renewalQuery.ListRenewalOverdueAsync(Now, null, 100, CancellationToken.None)).Count);
        var accounts = await fixture.Get<IAccountDirectory>().ListAsync(new AccountDirectoryQuery(null, null, null, null, 100), CancellationToken.None);
        Assert.Equal(overdue.Select(a => a.Value).Order(StringComparer.Ordinal), accounts.Items.Select(a => a.AccountId.Value).Order(StringComparer.Ordinal));
        Assert.Empty((await fixture.Get<IInvoiceDirectory>().ListAsync(new InvoiceDirectoryQuery(null, null, null, 100), CancellationToken.None)).Items);
        var runs = fixture.Get<IInvoiceRunStore>();
        Assert.Empty(await runs.ListOfMonthAsync(BillingMonth.Of(Now), null, null, 100, CancellationToken.None));
        foreach (var accountId in overdue)
        {
            Assert.Empty(await runs.ListInvoicedAsync(accountId, null, 100, CancellationToken.None));
        }
    }

    private async Task<AccountId> SubscribedAsync(DateTimeOffset periodEnd)
    {
        var store = fixture.Get<IBillingAccountStore>();
        var id = Ids.NewAccount();
        await store.GetOrCreateAsync(id, CancellationToken.None);
        await fixture.Get<IAccountDirectory>().RecordAsync(
            new AccountSummary { AccountId = id, Plan = PlanCode.Parse("PRO"), Status = "active", AccountVersion = 1, CreatedAt = Now, UpdatedAt = Now },
            CancellationToken.None);
        var snapshot = new SubscriptionSnapshot
        {
            SubscriptionId = Ids.NewStripe("sub"),
            CustomerId = Ids.NewStripe("cus"),
            Status = SubscriptionStatus.Active,
            PriceId = TestCatalog.ProMonthly,
            CurrentPeriodStart = periodEnd.AddMonths(-1),
            CurrentPeriodEnd = periodEnd,
            AsOf = Now.AddDays(-40),
        };
        await store.UpdateAsync(id, a => a.ApplySubscriptionSnapshot(snapshot, _catalog, TimeSpan.Zero).Account, CancellationToken.None);
        return id;
    }
}
