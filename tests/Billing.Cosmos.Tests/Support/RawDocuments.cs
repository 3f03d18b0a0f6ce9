using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Azure.Cosmos;

namespace Billing.Cosmos.Tests.Support;

/// <summary>Raw JSON access to stored documents, to check shapes and plant documents the stores would not write.</summary>
internal static class RawDocuments
{
    public static async Task<JsonObject?> ReadAsync(Container container, string id, string partitionKey)
    {
        using var response = await container.ReadItemStreamAsync(id, new PartitionKey(partitionKey));
        if (!response.IsSuccessStatusCode)
        {
            return null;
        }

        return (JsonObject?)await JsonNode.ParseAsync(response.Content);
    }

    public static async Task UpsertAsync(Container container, JsonObject document, string partitionKey)
    {
        using var body = new MemoryStream(Encoding.UTF8.GetBytes(document.ToJsonString()));
        using var response = await container.UpsertItemStreamAsync(body, new PartitionKey(partitionKey));
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Every document of the container (read feed; the local server cannot run queries).</summary>
    public static async Task<List<JsonElement>> ReadAllAsync(Container container)
    {
        var all = new List<JsonElement>();
        using var feed = container.GetItemQueryIterator<JsonElement>(queryText: null);
        while (feed.HasMoreResults)
        {
            all.AddRange(await feed.ReadNextAsync());
        }

        return all;
    }
}
