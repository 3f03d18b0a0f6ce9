using System.Text.Json;
using System.Text.Json.Nodes;
using Billing.Cosmos.Tests.Support;
using Microsoft.Azure.Cosmos;

namespace Billing.Cosmos.Tests.Client;

/// <summary>
/// Query answers of the local server that the app's queries meet, held to what Cosmos DB documents for them
/// (learn.microsoft.com/azure/cosmos-db/nosql/query/order-by).
/// </summary>
public sealed class LocalServerQueryTests(CosmosFixture fixture) : IClassFixture<CosmosFixture>
{
    [Theory]
    [InlineData("ASC", 100, new[] { "none-1", "none-2", "rank-1", "rank-2" })]
    [InlineData("DESC", 100, new[] { "rank-2", "rank-1", "none-2", "none-1" })]
    [InlineData("ASC", 1, new[] { "none-1", "none-2", "rank-1", "rank-2" })]
    [InlineData("DESC", 1, new[] { "rank-2", "rank-1", "none-2", "none-1" })]
    public async Task An_order_by_one_property_returns_the_documents_that_lack_it_below_every_value(string direction, int pageSize, string[] expected)
    {
        var partition = Ids.NewAccount().Value;
        foreach (var (id, rank) in new[] { ("none-1", (int?)null), ("rank-2", 2), ("none-2", null), ("rank-1", 1) })
        {
            var document = new JsonObject { ["id"] = $"{partition}:{id}", ["accountId"] = partition, ["type"] = "orderProbe" };
            if (rank is { } value)
            {
                document["rank"] = value;
            }

            await RawDocuments.UpsertAsync(fixture.Containers.Accounts, document, partition);
        }

        var query = new QueryDefinition($"SELECT * FROM c WHERE c.accountId = @partition AND c.type = 'orderProbe' ORDER BY c.rank {direction}")
            .WithParameter("@partition", partition);
        var found = new List<string>();
        using var feed = fixture.Containers.Accounts.GetItemQueryIterator<JsonElement>(query, requestOptions: new QueryRequestOptions { PartitionKey = new PartitionKey(partition), MaxItemCount = pageSize });
        while (feed.HasMoreResults && found.Count <= expected.Length)
        {
            found.AddRange((await feed.ReadNextAsync()).Select(d => d.GetProperty("id").GetString()![(partition.Length + 1)..]));
        }

        // Cosmos DB returns every document; those without the property sort below null and every value (their order
        // among themselves is not documented, so only the set is compared for them). A page of one document makes
        // every page end on a continuation token, some of them before a document without the property.
        Assert.Equal(expected.Order(StringComparer.Ordinal), found.Order(StringComparer.Ordinal));
        Assert.Equal(expected.Select(e => e.StartsWith("none", StringComparison.Ordinal) ? "none" : e), found.Select(f => f.StartsWith("none", StringComparison.Ordinal) ? "none" : f));
    }

    [Fact]
    public async Task A_query_sent_with_a_partition_key_reads_that_partition_only()
    {
        var (mine, other) = (Ids.NewAccount().Value, Ids.NewAccount().Value);
        var probe = "partitionProbe-" + Guid.NewGuid().ToString("N")[..8];
        foreach (var partition in new[] { mine, other })
        {
            await RawDocuments.UpsertAsync(fixture.Containers.Accounts, new JsonObject { ["id"] = $"{partition}:probe", ["accountId"] = partition, ["type"] = probe }, partition);
        }

        // No partition filter in the query: Cosmos DB runs it on the request's partition (x-ms-documentdb-partitionkey).
        var query = new QueryDefinition("SELECT * FROM c WHERE c.type = @type").WithParameter("@type", probe);
        var found = new List<string>();
        using var feed = fixture.Containers.Accounts.GetItemQueryIterator<JsonElement>(query, requestOptions: new QueryRequestOptions { PartitionKey = new PartitionKey(mine) });
        while (feed.HasMoreResults)
        {
            found.AddRange((await feed.ReadNextAsync()).Select(d => d.GetProperty("accountId").GetString()!));
        }

        Assert.Equal([mine], found);

        // Across partitions (no partition key) the query still reads both.
        using var all = fixture.Containers.Accounts.GetItemQueryIterator<JsonElement>(query);
        var everywhere = new List<string>();
        while (all.HasMoreResults)
        {
            everywhere.AddRange((await all.ReadNextAsync()).Select(d => d.GetProperty("accountId").GetString()!));
        }

        Assert.Equal(new[] { mine, other }.Order(StringComparer.Ordinal), everywhere.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_partition_query_sees_the_documents_written_replaced_and_deleted_since_the_last_one()
    {
        var partition = Ids.NewAccount().Value;
        var probe = "partitionProbe-" + Guid.NewGuid().ToString("N")[..8];
        var container = fixture.Containers.Accounts;
        async Task<string[]> QueryAsync()
        {
            var query = new QueryDefinition("SELECT * FROM c WHERE c.type = @type").WithParameter("@type", probe);
            var found = new List<string>();
            using var feed = container.GetItemQueryIterator<JsonElement>(query, requestOptions: new QueryRequestOptions { PartitionKey = new PartitionKey(partition) });
            while (feed.HasMoreResults)
            {
                found.AddRange((await feed.ReadNextAsync()).Select(d => $"{d.GetProperty("id").GetString()![(partition.Length + 1)..]}={d.GetProperty("n").GetInt32()}"));
            }

            return [.. found.Order(StringComparer.Ordinal)];
        }

        JsonObject Probe(string id, int n) => new() { ["id"] = $"{partition}:{id}", ["accountId"] = partition, ["type"] = probe, ["n"] = n };
        await RawDocuments.UpsertAsync(container, Probe("a", 1), partition);
        await RawDocuments.UpsertAsync(container, Probe("b", 1), partition);
        Assert.Equal(["a=1", "b=1"], await QueryAsync());

        await RawDocuments.UpsertAsync(container, Probe("a", 2), partition); // replaced
        await container.DeleteItemStreamAsync($"{partition}:b", new PartitionKey(partition));
        await container.CreateItemStreamAsync(new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(Probe("c", 1))), new PartitionKey(partition));

        Assert.Equal(["a=2", "c=1"], await QueryAsync());
    }

    [Fact]
    public async Task A_conditional_patch_checks_its_condition_on_its_own_document_not_one_of_the_same_id_in_another_partition()
    {
        var (mine, other) = (Ids.NewAccount().Value, Ids.NewAccount().Value);
        var id = "same-id-" + Guid.NewGuid().ToString("N")[..8];
        await RawDocuments.UpsertAsync(fixture.Containers.Accounts, new JsonObject { ["id"] = id, ["accountId"] = mine, ["state"] = "final" }, mine);
        await RawDocuments.UpsertAsync(fixture.Containers.Accounts, new JsonObject { ["id"] = id, ["accountId"] = other, ["state"] = "open" }, other);

        using var response = await fixture.Containers.Accounts.PatchItemStreamAsync(
            id, new PartitionKey(mine), [PatchOperation.Set("/state", "patched")], new PatchItemRequestOptions { FilterPredicate = "FROM c WHERE c.state = 'open'" });

        Assert.Equal(System.Net.HttpStatusCode.PreconditionFailed, response.StatusCode);
        Assert.Equal("final", (await RawDocuments.ReadAsync(fixture.Containers.Accounts, id, mine))!["state"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_query_across_partitions_returns_every_row_of_its_from_and_its_join()
    {
        var probe = "joinProbe-" + Guid.NewGuid().ToString("N")[..8];
        var accounts = new[] { Ids.NewAccount().Value, Ids.NewAccount().Value, Ids.NewAccount().Value, Ids.NewAccount().Value };
        var tags = new[] { new[] { "a", "b" }, ["c"], [], null };
        for (var i = 0; i < accounts.Length; i++)
        {
            var document = new JsonObject { ["id"] = $"{accounts[i]}:probe", ["accountId"] = accounts[i], ["type"] = probe };
            if (tags[i] is { } these)
            {
                document["tags"] = new JsonArray([.. these.Select(t => JsonValue.Create(t))]);
                document["nested"] = new JsonObject { ["probe"] = probe, ["items"] = these.Length };
            }

            await RawDocuments.UpsertAsync(fixture.Containers.Accounts, document, accounts[i]);
        }

        async Task<List<string>> QueryAsync(string sql)
        {
            var found = new List<string>();
            using var feed = fixture.Containers.Accounts.GetItemQueryIterator<JsonElement>(new QueryDefinition(sql).WithParameter("@type", probe));
            while (feed.HasMoreResults)
            {
                found.AddRange((await feed.ReadNextAsync()).Select(row => row.GetRawText()));
            }

            return [.. found.Order(StringComparer.Ordinal)];
        }

        // A row per document and array element; a document without the array, or with an empty one, has none.
        Assert.Equal(
            new[] { $"{accounts[0]}/a", $"{accounts[0]}/b", $"{accounts[1]}/c" }.Select(r => JsonSerializer.Serialize(r)).Order(StringComparer.Ordinal),
            await QueryAsync("SELECT VALUE CONCAT(c.accountId, '/', t) FROM c JOIN t IN c.tags WHERE c.type = @type"));

        // FROM a path: a row per document that has it.
        Assert.Equal(["0", "1", "2"], await QueryAsync("SELECT VALUE n.items FROM c.nested n WHERE n.probe = @type"));
    }

    [Fact]
    public async Task A_join_over_an_array_of_150000_elements_returns_a_row_for_each()
    {
        // 300 KB of JSON, within Cosmos DB's 2 MB document: more rows than one call's arguments can carry on Node's stack.
        var partition = Ids.NewAccount().Value;
        var id = $"{partition}:wide";
        await RawDocuments.UpsertAsync(fixture.Containers.Accounts, new JsonObject { ["id"] = id, ["accountId"] = partition, ["n"] = new JsonArray([.. Enumerable.Range(0, 150_000).Select(_ => (JsonNode?)0)]) }, partition);

        var query = new QueryDefinition("SELECT VALUE COUNT(1) FROM c JOIN t IN c.n WHERE c.id = @id").WithParameter("@id", id);
        using var feed = fixture.Containers.Accounts.GetItemQueryIterator<int>(query, requestOptions: new QueryRequestOptions { PartitionKey = new PartitionKey(partition) });
        var counts = new List<int>();
        while (feed.HasMoreResults)
        {
            counts.AddRange(await feed.ReadNextAsync());
        }

        Assert.Equal(150_000, counts.Sum());
    }
}
