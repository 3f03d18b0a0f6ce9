using System.Net;
using Billing.Application;
using Billing.Application.Usage;
using Billing.Cosmos.Tests.Support;
using Billing.Domain.Metering;
using Billing.Domain.Plans;

namespace Billing.Cosmos.Tests.Client;

/// <summary>
/// Cosmos DB refusing a request after the SDK's own retries (429, 503), or not answering it in time (408), reaches the
/// application as its <see cref="ServiceUnavailableException"/> (503 with Retry-After at the API, not 500), and a usage
/// record the store did not take, or kept rolling back, as <see cref="UsageNotCountedException"/>. The refusals come from a handler in
/// the client's pipeline, after the SDK's retry policy, as they would once its retries are spent.
/// </summary>
public sealed class StoreRefusalTests(CosmosFixture fixture) : IClassFixture<CosmosFixture>, IDisposable
{
    private static readonly UsagePeriod November = UsagePeriod.CalendarMonth(new DateTimeOffset(2026, 11, 15, 0, 0, 0, TimeSpan.Zero));
    private static readonly MeterName AgentRuns = MeterName.Parse("agent_runs");

    private readonly FaultyStore _store = new(fixture);

    [Theory]
    [InlineData(HttpStatusCode.TooManyRequests)]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    [InlineData(HttpStatusCode.RequestTimeout)]
    public async Task Point_operations_and_queries_refused_by_the_store_are_service_unavailable(HttpStatusCode status)
    {
        var ledger = _store.UsageLedger;
        var account = Ids.NewAccount();
        _store.Refuse = status;

        var read = await Assert.ThrowsAsync<ServiceUnavailableException>(() => ledger.GetAsync(account, November.Key, CancellationToken.None));
        var query = await Assert.ThrowsAsync<ServiceUnavailableException>(() => ledger.ListStartedAsync(account, November.Start, November.End, CancellationToken.None));

        Assert.Contains(((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture), read.Message, StringComparison.Ordinal);
        Assert.Contains(((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture), query.Message, StringComparison.Ordinal);
        Assert.Equal(status == HttpStatusCode.RequestTimeout, read.MayHaveBeenDone); // a timeout may have been done; a refusal was not
        Assert.Equal(status == HttpStatusCode.RequestTimeout, query.MayHaveBeenDone);
    }

    [Fact]
    public async Task A_read_at_a_session_the_replica_has_not_reached_yet_is_service_unavailable_not_a_missing_document()
    {
        // 404 with substatus 1002 (ReadSessionNotAvailable): the replica that served the read has not yet received the
        // client's session token. The document may well exist; the SDK does not retry it with LimitToEndpoint (no endpoint
        // discovery), and after its retries otherwise it hands the 404/1002 to the caller.
        var ledger = _store.UsageLedger;
        var account = Ids.NewAccount();
        Assert.Equal(UsageRecordStatus.Counted, (await ledger.RecordAsync(Record(account, "k1"), CancellationToken.None)).Status);
        _store.Refuse = HttpStatusCode.NotFound;
        _store.RefuseSubStatus = "1002";

        var read = await Assert.ThrowsAsync<ServiceUnavailableException>(() => ledger.GetAsync(account, November.Key, CancellationToken.None));
        var key = await Assert.ThrowsAsync<ServiceUnavailableException>(() => ledger.GetKeyAsync(account, "k1", CancellationToken.None));
        var query = await Assert.ThrowsAsync<ServiceUnavailableException>(() => ledger.ListStartedAsync(account, November.Start, November.End, CancellationToken.None));

        foreach (var refusal in (ServiceUnavailableException[])[read, key])
        {
            Assert.Contains("substatus 1002", refusal.Message, StringComparison.Ordinal);
            Assert.False(refusal.MayHaveBeenDone);
        }

        Assert.False(query.MayHaveBeenDone); // any 404 to a query was a 503 already

        _store.Refuse = null;
        Assert.Equal(1, (await ledger.GetAsync(account, November.Key, CancellationToken.None))!.Used(AgentRuns));
    }

    [Fact]
    public async Task A_record_whose_answer_timed_out_may_have_been_counted_and_says_so_and_its_retry_counts_it_once()
    {
        var ledger = _store.UsageLedger;
        var account = Ids.NewAccount();
        Assert.Equal(UsageRecordStatus.Counted, (await ledger.RecordAsync(Record(account, "k1"), CancellationToken.None)).Status);
        _store.TimeOutNextProcedureAfterItRan = true;

        var timedOut = await Assert.ThrowsAsync<ServiceUnavailableException>(() => ledger.RecordAsync(Record(account, "k2"), CancellationToken.None));

        Assert.True(timedOut.MayHaveBeenDone);
        Assert.Equal(2, (await ledger.GetAsync(account, November.Key, CancellationToken.None))!.Used(AgentRuns)); // it was counted
        await ledger.RecordAsync(Record(account, "k2"), CancellationToken.None); // the caller's retry, with the same key
        Assert.Equal(2, (await ledger.GetAsync(account, November.Key, CancellationToken.None))!.Used(AgentRuns));
    }

    [Fact]
    public async Task A_record_the_store_refused_is_not_counted_and_says_so()
    {
        var ledger = _store.UsageLedger;
        var account = Ids.NewAccount();
        _store.Refuse = HttpStatusCode.TooManyRequests;

        await Assert.ThrowsAsync<UsageNotCountedException>(() => ledger.RecordAsync(Record(account, "k1"), CancellationToken.None));

        _store.Refuse = null;
        Assert.Null(await ledger.GetAsync(account, November.Key, CancellationToken.None));
        Assert.Null(await ledger.GetKeyAsync(account, "k1", CancellationToken.None));
    }

    /// <summary>
    /// A logical partition holds at most 20 GB; once an account's is full, Cosmos DB refuses every write into it (403,
    /// substatus 1014, "Partition key reached maximum size of 20 GB"; inside the procedure the refused create aborts the
    /// script, which may come back as a 400 carrying that message). Nothing was counted: the record is refused as a
    /// throttled one is, so that a batch records its other accounts' records instead of failing whole, every time.
    /// </summary>
    [Theory]
    [InlineData(HttpStatusCode.Forbidden, "1014", "Partition key reached maximum size of 20 GB")]
    [InlineData(HttpStatusCode.BadRequest, null, "Encountered exception while executing function. Exception = Error: {\"Errors\":[\"Partition key reached maximum size of 20 GB\"]}")]
    public async Task A_record_into_an_account_partition_that_is_full_is_not_counted_and_says_so(HttpStatusCode status, string? subStatus, string message)
    {
        var ledger = _store.UsageLedger;
        var account = Ids.NewAccount();
        Assert.Equal(UsageRecordStatus.Counted, (await ledger.RecordAsync(Record(account, "k1"), CancellationToken.None)).Status);
        (_store.Refuse, _store.RefuseSubStatus, _store.RefuseMessage, _store.OnlyProcedures) = (status, subStatus, message, true);

        var refused = await Assert.ThrowsAsync<UsageNotCountedException>(() => ledger.RecordAsync(Record(account, "k2"), CancellationToken.None));

        Assert.Contains("maximum size", refused.Message, StringComparison.Ordinal);
        _store.Refuse = null;
        Assert.Equal(1, (await ledger.GetAsync(account, November.Key, CancellationToken.None))!.Used(AgentRuns));
        Assert.Null(await ledger.GetKeyAsync(account, "k2", CancellationToken.None));
    }

    /// <summary>Only substatus 1014 (or its message) is a full partition: a 403 for another reason (here RBAC's 5301) is not taken for one.</summary>
    [Fact]
    public async Task A_record_refused_403_for_another_reason_is_not_taken_for_a_full_partition()
    {
        var ledger = _store.UsageLedger;
        var account = Ids.NewAccount();
        (_store.Refuse, _store.RefuseSubStatus, _store.RefuseMessage, _store.OnlyProcedures) = (HttpStatusCode.Forbidden, "5301", "Request blocked by Auth: the principal lacks the required RBAC permissions", true);

        var refused = await Assert.ThrowsAsync<Microsoft.Azure.Cosmos.CosmosException>(() => ledger.RecordAsync(Record(account, "k1"), CancellationToken.None));

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    [Fact]
    public async Task A_record_whose_transaction_keeps_conflicting_is_not_counted_and_says_so()
    {
        var ledger = _store.UsageLedger;
        var account = Ids.NewAccount();
        Assert.Equal(UsageRecordStatus.Counted, (await ledger.RecordAsync(Record(account, "k1"), CancellationToken.None)).Status);
        _store.Refuse = (HttpStatusCode)449; // "retry with": the procedure's transaction was rolled back, every time
        _store.OnlyProcedures = true;

        await Assert.ThrowsAsync<UsageNotCountedException>(() => ledger.RecordAsync(Record(account, "k2"), CancellationToken.None));

        _store.Refuse = null;
        Assert.Equal(1, (await ledger.GetAsync(account, November.Key, CancellationToken.None))!.Used(AgentRuns));
        Assert.Null(await ledger.GetKeyAsync(account, "k2", CancellationToken.None));
    }

    public void Dispose() => _store.Dispose();

    private static UsageRecord Record(Domain.Accounts.AccountId account, string key) =>
        UsageRecord.Of(new UsageConsumption(account, November, AgentRuns, 1, 10, PlanCode.Parse("FREE"), null), key, November.Start.AddMinutes(1), November.Start.AddMinutes(2), TimeSpan.FromDays(45), accountVersion: null);
}
