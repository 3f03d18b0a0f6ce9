using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Billing.Cosmos.Accounts;
using Billing.Cosmos.Client;
using Billing.Cosmos.Credits;
using Billing.Cosmos.Admin;
using Billing.Cosmos.Documents;
using Billing.Cosmos.Invoicing;
using Billing.Cosmos.StripeEvents;
using Billing.Cosmos.Usage;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Logging.Abstractions;

namespace Billing.Cosmos.Tests.Support;

/// <summary>
/// The fixture's store through a client whose requests pass a handler placed after the SDK's retry policy: it can
/// refuse them as Cosmos DB does once those retries are spent (<see cref="Refuse"/>), time out after the store did the
/// request (<see cref="TimeOutNextProcedureAfterItRan"/>), fail the next one of a kind as a
/// process that stops there would leave it (<see cref="FailNext"/>, <see cref="FailNextCreateIn"/>), or have another
/// writer land right before the next one of a kind is sent (<see cref="BeforeNext"/>), or have the store answer queries in
/// short pages (<see cref="QueryPageSize"/>). Anything else reaches the store.
/// </summary>
internal sealed class FaultyStore : RequestHandler, IDisposable
{
    private readonly CosmosClient _client;

    public FaultyStore(CosmosFixture fixture)
    {
        ArgumentNullException.ThrowIfNull(fixture);
        Assert.True(CosmosConnectionString.TryParse(fixture.ConnectionString, out var parsed, out _));
        var options = CosmosClientFactory.CreateClientOptions(parsed.AccountEndpoint);
        options.CustomHandlers.Add(this);
        _client = new CosmosClient(fixture.ConnectionString, options);
        var containers = new BillingContainers(_client, Microsoft.Extensions.Options.Options.Create(fixture.Options));
        UsageLedger = new CosmosUsageLedger(containers, TimeProvider.System);
        StripeEvents = new CosmosStripeEventStore(containers, new CosmosStripeEventHistory(containers), TimeProvider.System, NullLogger<CosmosStripeEventStore>.Instance);
        InvoiceRuns = new CosmosInvoiceRunStore(containers, new CosmosInvoiceDirectory(containers));
        Allocations = new CosmosAllocationLedger(containers, TimeProvider.System);
        RenewalQuery = new CosmosAccountRenewalQuery(containers);
        AccountDirectory = new CosmosAccountDirectory(containers);
        CreditLedger = new CosmosCreditLedgerStore(containers, TimeProvider.System);
    }

    /// <summary>The operators' account index.</summary>
    public CosmosAccountDirectory AccountDirectory { get; }

    /// <summary>The credit books and ledger entries.</summary>
    public CosmosCreditLedgerStore CreditLedger { get; }

    /// <summary>The missed-event sweep's query over the accounts container.</summary>
    public CosmosAccountRenewalQuery RenewalQuery { get; }

    /// <summary>
    /// When set, every query page asks the store for at most this many documents: the short pages Cosmos DB may answer a
    /// cross-partition query with (a partition at a time, or a page's time or size budget spent).
    /// </summary>
    public int? QueryPageSize { get; set; }

    /// <summary>The allocation ledger (units held per allocation meter).</summary>
    public CosmosAllocationLedger Allocations { get; }

    public CosmosUsageLedger UsageLedger { get; }

    /// <summary>The Stripe event store, with the account history it copies final events to.</summary>
    public CosmosStripeEventStore StripeEvents { get; }

    /// <summary>The invoice run store, with the invoice index it copies runs to.</summary>
    public CosmosInvoiceRunStore InvoiceRuns { get; }

    /// <summary>Every request (or, with <see cref="OnlyProcedures"/>, every stored procedure execution) is answered with this status while it is set.</summary>
    public HttpStatusCode? Refuse { get; set; }

    public bool OnlyProcedures { get; set; }

    /// <summary>The <c>x-ms-substatus</c> of the answers <see cref="Refuse"/> gives (e.g. 1002 with a 404), when set.</summary>
    public string? RefuseSubStatus { get; set; }

    /// <summary>How many requests <see cref="Refuse"/> answered.</summary>
    public int Refused => Volatile.Read(ref _refused);

    /// <summary>The error message of the answers <see cref="Refuse"/> gives.</summary>
    public string RefuseMessage { get; set; } = "refused by the test";

    /// <summary>The next request of this method to a document whose id contains this text fails with a 500, once.</summary>
    public (HttpMethod Method, string DocumentIdPart)? FailNext { get; set; }

    /// <summary>
    /// The next create or upsert (a POST to the container, which names no document; queries are not affected) into the
    /// container of this name fails with a 500, once.
    /// </summary>
    public string? FailNextCreateIn { get; set; }

    /// <summary>
    /// The next create or upsert into the container of this name cannot connect, once: an
    /// <see cref="HttpRequestException"/> (connection refused), as the SDK lets it through when no connection is made.
    /// </summary>
    public string? DisconnectNextCreateIn { get; set; }

    /// <summary>Before the next create or upsert into the container of this name is sent, the hook runs, once (another writer landing first).</summary>
    public (string Container, Func<Task> Hook)? BeforeNextCreateIn { get; set; }

    /// <summary>
    /// The next stored procedure execution reaches the store, which does it, and its answer is replaced with a 408, once:
    /// a request that timed out after Cosmos DB had done it.
    /// </summary>
    public bool TimeOutNextProcedureAfterItRan { get; set; }

    /// <summary>Before the next request of this method to a document whose id contains this text is sent, the hook runs, once (through another client).</summary>
    public (HttpMethod Method, string DocumentIdPart, Func<Task> Hook)? BeforeNext { get; set; }

    /// <summary>
    /// Every page of a query this client fetched (query plan requests aside): the partition key it was scoped to and how
    /// many documents the page returned (<c>x-ms-item-count</c>), so a test can count what a use case reads.
    /// </summary>
    public ConcurrentQueue<(string? PartitionKey, int Documents)> Queries { get; } = new();

    /// <summary>How many requests reached the store through this client (point operations, query pages and query plans alike).</summary>
    public int Sent => Volatile.Read(ref _sent);

    private int _sent;

    private int _refused;

    public override async Task<ResponseMessage> SendAsync(RequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var uri = request.RequestUri.OriginalString;
        if (Refuse is { } status && (!OnlyProcedures || uri.Contains("/sprocs/", StringComparison.Ordinal)))
        {
            Interlocked.Increment(ref _refused);
            var refused = new ResponseMessage(status, request, RefuseMessage);
            if (RefuseSubStatus is { } subStatus)
            {
                refused.Headers["x-ms-substatus"] = subStatus;
            }

            return refused;
        }

        if (FailNext is { } fail && request.Method == fail.Method && uri.Contains("/docs/" + fail.DocumentIdPart, StringComparison.Ordinal))
        {
            FailNext = null;
            return new ResponseMessage(HttpStatusCode.InternalServerError, request, "the process stopped here");
        }

        if (FailNextCreateIn is { } container && request.Method == HttpMethod.Post
            && uri.EndsWith("/colls/" + container, StringComparison.Ordinal) && string.IsNullOrEmpty(request.Headers["x-ms-documentdb-isquery"]))
        {
            FailNextCreateIn = null;
            return new ResponseMessage(HttpStatusCode.InternalServerError, request, "the process stopped here");
        }

        if (DisconnectNextCreateIn is { } unreachable && request.Method == HttpMethod.Post
            && uri.EndsWith("/colls/" + unreachable, StringComparison.Ordinal) && string.IsNullOrEmpty(request.Headers["x-ms-documentdb-isquery"]))
        {
            DisconnectNextCreateIn = null;
            throw new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused (127.0.0.1:8081)");
        }

        if (BeforeNext is { } before && request.Method == before.Method && uri.Contains("/docs/" + before.DocumentIdPart, StringComparison.Ordinal))
        {
            BeforeNext = null;
            await before.Hook().ConfigureAwait(false);
        }

        if (BeforeNextCreateIn is { } beforeCreate && request.Method == HttpMethod.Post
            && uri.EndsWith("/colls/" + beforeCreate.Container, StringComparison.Ordinal) && string.IsNullOrEmpty(request.Headers["x-ms-documentdb-isquery"]))
        {
            BeforeNextCreateIn = null;
            await beforeCreate.Hook().ConfigureAwait(false);
        }

        var isQueryPage = !string.IsNullOrEmpty(request.Headers["x-ms-documentdb-isquery"]) && string.IsNullOrEmpty(request.Headers["x-ms-cosmos-is-query-plan-request"]);
        if (isQueryPage && QueryPageSize is { } pageSize)
        {
            request.Headers["x-ms-max-item-count"] = pageSize.ToString(CultureInfo.InvariantCulture);
        }

        Interlocked.Increment(ref _sent);
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (isQueryPage)
        {
            Queries.Enqueue((request.Headers["x-ms-documentdb-partitionkey"], int.TryParse(response.Headers["x-ms-item-count"], out var documents) ? documents : 0));
        }

        if (TimeOutNextProcedureAfterItRan && uri.Contains("/sprocs/", StringComparison.Ordinal))
        {
            TimeOutNextProcedureAfterItRan = false;
            response.Dispose();
            return new ResponseMessage(HttpStatusCode.RequestTimeout, request, "the answer did not come in time");
        }

        return response;
    }

    public void Dispose() => _client.Dispose();
}
