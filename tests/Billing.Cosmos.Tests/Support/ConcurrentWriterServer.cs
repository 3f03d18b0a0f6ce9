using System.Text.Json.Nodes;
using Billing.Cosmos.Configuration;
using Billing.Cosmos.Documents;
using Billing.TestSupport;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Billing.Cosmos.Tests.Support;

/// <summary>
/// A Cosmos server of the test class's own, started with <c>--test-concurrent-writes</c> (the shared one never takes
/// them) and provisioned as the app provisions it: a test makes another instance's write land in the middle of one
/// stored procedure execution, between its reads and its writes, as concurrent requests do on Cosmos DB, or that
/// execution's time run out there.
/// </summary>
public sealed class ConcurrentWriterServer : IAsyncLifetime
{
    private OwnCosmosServer? _server;
    private HttpClient? _http;

    private OwnCosmosServer Server => _server ?? throw new InvalidOperationException("Server not started.");

    public Container Accounts => Server.Accounts;

    public T Get<T>()
        where T : notnull => Server.Services.GetRequiredService<T>();

    public async Task InitializeAsync()
    {
        _server = await OwnCosmosServer.StartAsync("billing-concurrent-writes", "--test-concurrent-writes");
        _http = LocalServerHttp.Client(_server.ConnectionString);
    }

    /// <summary>
    /// Runs <paramref name="otherInstance"/> (a real call of another instance) now, puts the documents
    /// <paramref name="ids"/> back as they were, and has what it wrote and deleted of them done again just before the
    /// next execution on <paramref name="partitionKey"/> writes <paramref name="beforeWriteOf"/>: that call then lands
    /// between the execution's reads and its writes.
    /// </summary>
    public async Task ReplayDuringNextWriteAsync(string partitionKey, string beforeWriteOf, IReadOnlyList<string> ids, Func<Task> otherInstance)
    {
        ArgumentNullException.ThrowIfNull(otherInstance);
        var before = await Task.WhenAll(ids.Select(id => RawDocuments.ReadAsync(Accounts, id, partitionKey)));
        await otherInstance();
        var after = await Task.WhenAll(ids.Select(id => RawDocuments.ReadAsync(Accounts, id, partitionKey)));
        for (var i = 0; i < ids.Count; i++)
        {
            if (before[i] is { } prior)
            {
                await RawDocuments.UpsertAsync(Accounts, prior, partitionKey);
            }
            else if (after[i] is not null)
            {
                (await Accounts.DeleteItemStreamAsync(ids[i], new PartitionKey(partitionKey))).EnsureSuccessStatusCode();
            }
        }

        var deleted = ids.Where((_, i) => before[i] is not null && after[i] is null);
        await PlanAsync(partitionKey, beforeWriteOf, [.. after.OfType<JsonObject>()], [.. deleted]);
    }

    /// <summary>Ends the time of the next execution on the partition just before it writes <paramref name="beforeWriteOf"/>: that write and every later operation are not accepted.</summary>
    public Task EndTimeBeforeNextWriteAsync(string partitionKey, string beforeWriteOf) => PlanAsync(partitionKey, beforeWriteOf, [], [], timeUp: true);

    private Task PlanAsync(string partitionKey, string beforeWriteOf, IReadOnlyList<JsonObject> documents, IReadOnlyList<string> deletes, bool timeUp = false)
    {
        var options = Get<IOptions<CosmosOptions>>().Value;
        return _http!.PlanConcurrentWriteAsync(options.DatabaseName, options.AccountsContainerName, partitionKey, beforeWriteOf, documents, deletes, timeUp);
    }

    public async Task DisposeAsync()
    {
        _http?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
