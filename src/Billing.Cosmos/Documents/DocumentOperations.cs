using System.Net;
using System.Text.Json;
using Billing.Cosmos.Serialization;
using Microsoft.Azure.Cosmos;

namespace Billing.Cosmos.Documents;

/// <summary>
/// Point operations through the SDK's stream API: expected outcomes (404, 409, 412) come back as status codes
/// instead of exceptions, which keeps the hot paths cheap. Anything else throws <see cref="CosmosException"/>.
/// </summary>
internal static class DocumentOperations
{
    public static async Task<T?> ReadAsync<T>(this Container container, string id, PartitionKey partitionKey, CancellationToken cancellationToken)
        where T : class
    {
        using var response = await container.ReadItemStreamAsync(id, partitionKey, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        return await DeserializeAsync<T>(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Creates the document; <see cref="HttpStatusCode.Conflict"/> when one with the same id exists in the partition.</summary>
    public static async Task<DocumentResult<T>> CreateAsync<T>(this Container container, T document, PartitionKey partitionKey, CancellationToken cancellationToken)
        where T : class
    {
        using var body = Serialize(document);
        using var response = await container.CreateItemStreamAsync(body, partitionKey, cancellationToken: cancellationToken).ConfigureAwait(false);
        return await ResultAsync<T>(response, [HttpStatusCode.Conflict], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Replaces the document if its ETag still is <paramref name="ifMatchEtag"/>; <see cref="HttpStatusCode.PreconditionFailed"/> otherwise.</summary>
    public static async Task<DocumentResult<T>> ReplaceAsync<T>(this Container container, T document, string id, PartitionKey partitionKey, string ifMatchEtag, CancellationToken cancellationToken)
        where T : class
    {
        using var body = Serialize(document);
        var options = new ItemRequestOptions { IfMatchEtag = ifMatchEtag };
        using var response = await container.ReplaceItemStreamAsync(body, id, partitionKey, options, cancellationToken).ConfigureAwait(false);
        return await ResultAsync<T>(response, [HttpStatusCode.PreconditionFailed, HttpStatusCode.NotFound], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Patches the document, atomically, if <paramref name="filterPredicate"/> (<c>FROM c WHERE ...</c>) holds;
    /// <see cref="HttpStatusCode.PreconditionFailed"/> when it does not, <see cref="HttpStatusCode.NotFound"/> when there is no document.
    /// Keep predicates to lower-case property names and literals: the local server lower-cases them.
    /// </summary>
    public static async Task<DocumentResult<T>> PatchAsync<T>(this Container container, string id, PartitionKey partitionKey, IReadOnlyList<PatchOperation> operations, string? filterPredicate, CancellationToken cancellationToken)
        where T : class
    {
        var options = new PatchItemRequestOptions { FilterPredicate = filterPredicate };
        using var response = await container.PatchItemStreamAsync(id, partitionKey, operations, options, cancellationToken).ConfigureAwait(false);
        return await ResultAsync<T>(response, [HttpStatusCode.PreconditionFailed, HttpStatusCode.NotFound], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes the document; <see cref="HttpStatusCode.NotFound"/> when there is none.</summary>
    public static async Task<HttpStatusCode> DeleteAsync(this Container container, string id, PartitionKey partitionKey, CancellationToken cancellationToken)
    {
        using var response = await container.DeleteItemStreamAsync(id, partitionKey, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.NotFound)
        {
            response.EnsureSuccessStatusCode();
        }

        return response.StatusCode;
    }

    private static async Task<DocumentResult<T>> ResultAsync<T>(ResponseMessage response, HttpStatusCode[] expectedFailures, CancellationToken cancellationToken)
        where T : class
    {
        if (expectedFailures.Contains(response.StatusCode))
        {
            return new DocumentResult<T>(response.StatusCode, null);
        }

        response.EnsureSuccessStatusCode();
        return new DocumentResult<T>(response.StatusCode, await DeserializeAsync<T>(response, cancellationToken).ConfigureAwait(false));
    }

    private static async Task<T> DeserializeAsync<T>(ResponseMessage response, CancellationToken cancellationToken)
        where T : class =>
        await JsonSerializer.DeserializeAsync<T>(response.Content, CosmosJson.Options, cancellationToken).ConfigureAwait(false)
        ?? throw new InvalidDataException($"Cosmos DB returned an empty {typeof(T).Name}.");

    private static MemoryStream Serialize<T>(T document)
    {
        var stream = new MemoryStream();
        JsonSerializer.Serialize(stream, document, CosmosJson.Options);
        stream.Position = 0;
        return stream;
    }
}
