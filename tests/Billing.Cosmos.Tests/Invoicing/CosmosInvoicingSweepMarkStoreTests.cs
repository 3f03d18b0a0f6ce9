using System.Text.Json.Nodes;
using Billing.Application.Accounts;
using Billing.Application.Admin;
using Billing.Application.Invoicing;
using Billing.Application.Usage;
using Billing.Cosmos.Tests.Support;

namespace Billing.Cosmos.Tests.Invoicing;

/// <summary>Own fixture (own database): the mark is one document per container.</summary>
public sealed class CosmosInvoicingSweepMarkStoreTests(CosmosFixture fixture) : IClassFixture<CosmosFixture>
{
    private const string Id = "sweep-mark:invoicing-sweep", Partition = "/jobs/invoicing-sweep";
    private readonly IInvoicingSweepMarkStore _marks = fixture.Get<IInvoicingSweepMarkStore>();

    [Fact]
    public async Task The_mark_round_trips_in_its_own_partition_and_only_moves_forward_also_under_concurrent_runs()
    {
        try
        {
            Assert.Null(await _marks.GetAsync(CancellationToken.None));

            var before = DateTimeOffset.UtcNow;
            await _marks.MoveForwardAsync(new DateOnly(2026, 11, 1), CancellationToken.None);
            var read = await _marks.GetAsync(CancellationToken.None);

            Assert.Equal(new DateOnly(2026, 11, 1), read!.ReadAgainFrom);
            Assert.InRange(read.WrittenAt, before.AddSeconds(-1), DateTimeOffset.UtcNow.AddSeconds(1));
            var raw = (await RawDocuments.ReadAsync(fixture.Containers.Accounts, Id, Partition))!;
            Assert.Equal("invoicingSweepMark", (string?)raw["type"]);
            Assert.Equal(Partition, (string?)raw["accountId"]);
            Assert.Equal("2026-11-01", (string?)raw["readAgainFrom"]);

            await _marks.MoveForwardAsync(new DateOnly(2026, 10, 1), CancellationToken.None); // a run that started before the last one wrote
            Assert.Equal(new DateOnly(2026, 11, 1), (await _marks.GetAsync(CancellationToken.None))!.ReadAgainFrom);

            // Four instances finishing at once: each reads, then replaces under its ETag; the losers read again and the latest day stays.
            await Task.WhenAll(new[] { 3, 1, 4, 2 }.Select(day => _marks.MoveForwardAsync(new DateOnly(2026, 12, day), CancellationToken.None)));
            Assert.Equal(new DateOnly(2026, 12, 4), (await _marks.GetAsync(CancellationToken.None))!.ReadAgainFrom);
        }
        finally
        {
            await DeleteAsync();
        }
    }

    [Fact]
    public async Task A_mark_write_keeps_fields_a_newer_version_wrote_and_a_newer_schema_is_not_rewritten()
    {
        try
        {
            await _marks.MoveForwardAsync(new DateOnly(2026, 12, 1), CancellationToken.None);
            var raw = (await RawDocuments.ReadAsync(fixture.Containers.Accounts, Id, Partition))!;
            raw["futureField"] = new JsonObject { ["kept"] = true };
            await RawDocuments.UpsertAsync(fixture.Containers.Accounts, raw, Partition);

            await _marks.MoveForwardAsync(new DateOnly(2026, 12, 2), CancellationToken.None);

            var rewritten = (await RawDocuments.ReadAsync(fixture.Containers.Accounts, Id, Partition))!;
            Assert.Equal("2026-12-02", (string?)rewritten["readAgainFrom"]);
            Assert.True((bool?)rewritten["futureField"]?["kept"], "the mark lost the field a newer version wrote");

            rewritten["schemaVersion"] = 2;
            await RawDocuments.UpsertAsync(fixture.Containers.Accounts, rewritten, Partition);
            await _marks.MoveForwardAsync(new DateOnly(2026, 12, 3), CancellationToken.None);
            var kept = (await RawDocuments.ReadAsync(fixture.Containers.Accounts, Id, Partition))!;
            Assert.Equal((2, "2026-12-02"), ((int)kept["schemaVersion"]!, (string?)kept["readAgainFrom"]));
        }
        finally
        {
            await DeleteAsync();
        }
    }

    [Fact]
    public async Task No_listing_of_the_accounts_container_returns_the_mark()
    {
        try
        {
            await _marks.MoveForwardAsync(new DateOnly(2026, 12, 1), CancellationToken.None);

            Assert.Empty(await fixture.Get<IAccountRenewalQuery>().ListRenewalOverdueAsync(DateTimeOffset.MaxValue, null, 100, CancellationToken.None));
            Assert.Empty((await fixture.Get<IAccountDirectory>().ListAsync(new AccountDirectoryQuery(null, null, null, null, 100), CancellationToken.None)).Items);
            Assert.Empty((await fixture.Get<IInvoiceDirectory>().ListAsync(new InvoiceDirectoryQuery(null, null, null, 100), CancellationToken.None)).Items);
            Assert.Empty(await fixture.Get<IInvoiceRunStore>().ListOfMonthAsync(BillingMonth.Of(new DateTimeOffset(2026, 12, 2, 0, 0, 0, TimeSpan.Zero)), null, null, 100, CancellationToken.None));
            Assert.Empty(await fixture.Get<IUsageLedger>().ListPeriodsEndingAsync(new DateOnly(2026, 12, 1), CancellationToken.None));
        }
        finally
        {
            await DeleteAsync();
        }
    }

    private Task DeleteAsync() => fixture.Containers.Accounts.DeleteItemStreamAsync(Id, new Microsoft.Azure.Cosmos.PartitionKey(Partition));
}
