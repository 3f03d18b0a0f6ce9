using System.Net;
using System.Text.Json;
using Billing.Application.Usage;
using Billing.Cosmos.Client;
using Billing.Cosmos.Documents;
using Billing.Cosmos.Tests.Support;
using Billing.Cosmos.Usage;
using Billing.Domain.Accounts;
using Billing.Domain.Metering;
using Billing.Domain.Plans;
using Microsoft.Azure.Cosmos;

namespace Billing.Cosmos.Tests.Usage;

/// <summary>
/// Moving a period's end is three writes in two partitions (the new day's index entry, the counters, the old day's
/// entry). A delivery that stops after any of them is redone by the redelivery of the job or the webhook; what the
/// redelivery leaves must be what one uninterrupted move leaves: one entry, on the new day.
/// </summary>
public sealed class MovePeriodEndCrashTests(CosmosFixture fixture) : IClassFixture<CosmosFixture>, IDisposable
{
    private static readonly MeterName AgentRuns = MeterName.Parse("agent_runs");

    private readonly FailingHandler _failures = new();
    private CosmosClient? _client;

    [Fact]
    public async Task A_move_stopped_before_the_old_entry_was_deleted_is_finished_by_its_redelivery()
    {
        var ledger = Ledger();
        var account = Ids.NewAccount();
        var estimated = UsagePeriod.SubscriptionPeriod(new DateTimeOffset(2035, 3, 5, 9, 0, 0, TimeSpan.Zero), new DateTimeOffset(2035, 4, 5, 9, 0, 0, TimeSpan.Zero));
        var newEnd = new DateTimeOffset(2035, 4, 20, 9, 0, 0, TimeSpan.Zero);
        await ledger.RecordAsync(Record(account, estimated), CancellationToken.None);

        _failures.FailNext = (HttpMethod.Delete, "usage-period"); // the process stops as it deletes the old day's entry
        await Assert.ThrowsAnyAsync<Exception>(() => ledger.MovePeriodEndAsync(account, estimated.Key, newEnd, CancellationToken.None));
        await ledger.MovePeriodEndAsync(account, estimated.Key, newEnd, CancellationToken.None); // the redelivery

        Assert.Equal(newEnd, (await ledger.GetAsync(account, estimated.Key, CancellationToken.None))!.Period.End);
        var entry = Assert.Single(await IndexEntriesAsync(account));
        Assert.Equal(newEnd, entry.GetProperty("periodEnd").GetDateTimeOffset());
        Assert.DoesNotContain(await ledger.ListPeriodsEndingAsync(new DateOnly(2035, 4, 5), CancellationToken.None), e => e.AccountId == account);
    }

    [Fact]
    public async Task A_move_stopped_before_the_counters_moved_is_finished_by_its_redelivery()
    {
        var ledger = Ledger();
        var account = Ids.NewAccount();
        var counted = UsagePeriod.SubscriptionPeriod(new DateTimeOffset(2035, 6, 7, 9, 0, 0, TimeSpan.Zero), new DateTimeOffset(2035, 7, 7, 9, 0, 0, TimeSpan.Zero));
        var endedAt = new DateTimeOffset(2035, 6, 21, 15, 0, 0, TimeSpan.Zero);
        await ledger.RecordAsync(Record(account, counted), CancellationToken.None);

        _failures.FailNext = (HttpMethod.Put, "usage"); // the process stops as it replaces the counters
        await Assert.ThrowsAnyAsync<Exception>(() => ledger.MovePeriodEndAsync(account, counted.Key, endedAt, CancellationToken.None));
        Assert.Equal(counted.End, (await ledger.GetAsync(account, counted.Key, CancellationToken.None))!.Period.End);
        Assert.Single(await ledger.ListPeriodsEndingAsync(new DateOnly(2035, 6, 21), CancellationToken.None), e => e.AccountId == account); // never missing from the index
        await ledger.MovePeriodEndAsync(account, counted.Key, endedAt, CancellationToken.None); // the redelivery

        Assert.Equal(endedAt, (await ledger.GetAsync(account, counted.Key, CancellationToken.None))!.Period.End);
        var entry = Assert.Single(await IndexEntriesAsync(account));
        Assert.Equal(endedAt, entry.GetProperty("periodEnd").GetDateTimeOffset());
    }

    public void Dispose() => _client?.Dispose();

    private CosmosUsageLedger Ledger()
    {
        Assert.True(CosmosConnectionString.TryParse(fixture.ConnectionString, out var parsed, out _));
        var options = CosmosClientFactory.CreateClientOptions(parsed.AccountEndpoint);
        options.CustomHandlers.Add(_failures);
        _client = new CosmosClient(fixture.ConnectionString, options);
        return new CosmosUsageLedger(new BillingContainers(_client, Microsoft.Extensions.Options.Options.Create(fixture.Options)), TimeProvider.System);
    }

    private static UsageRecord Record(AccountId account, UsagePeriod period) =>
        UsageRecord.Of(
            new UsageConsumption(account, period, AgentRuns, 3, null, PlanCode.Parse("FREE"), null),
            Guid.NewGuid().ToString("N"),
            occurredAt: period.Start.AddMinutes(1),
            recordedAt: period.Start.AddMinutes(2),
            TimeSpan.FromDays(45),
            accountVersion: null);

    private async Task<List<JsonElement>> IndexEntriesAsync(AccountId account) =>
        [.. (await RawDocuments.ReadAllAsync(fixture.Containers.Accounts)).Where(d => d.GetProperty("type").GetString() == "usagePeriod" && d.GetProperty("billingAccountId").GetString() == account.Value)];

    /// <summary>Fails the next request of <see cref="FailNext"/>'s method to a document whose id contains its text, before it reaches the store.</summary>
    private sealed class FailingHandler : RequestHandler
    {
        public (HttpMethod Method, string Part)? FailNext { get; set; }

        public override Task<ResponseMessage> SendAsync(RequestMessage request, CancellationToken cancellationToken)
        {
            if (FailNext is { } fail && request.Method == fail.Method && request.RequestUri.OriginalString.Contains("/docs/" + fail.Part, StringComparison.Ordinal))
            {
                FailNext = null;
                return Task.FromResult(new ResponseMessage(HttpStatusCode.InternalServerError, request, "the process stopped here"));
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
