using System.Net;
using System.Text.Json;
using Billing.Application;
using Billing.Cosmos.Serialization;
using Microsoft.Azure.Cosmos;

namespace Billing.Cosmos.Documents;

/// <summary>
/// Point operations through the SDK's stream API: expected outcomes (404, 409, 412) come back as status codes
/// instead of exceptions, which keeps the hot paths cheap. Throttling beyond the SDK's retries (429) and an unavailable
/// service (503), a missing database or container (404 with substatus 1003, any 404 to a query: never "no such document")
/// or a read the replica cannot serve at the client's session yet (404 with substatus 1002), where Cosmos
/// DB did not do the operation, and a request that timed out (408), which it may have done, throw the application's <see cref="ServiceUnavailableException"/> (an HTTP caller gets 503 with Retry-After, not 500;
/// every write here is safe to send again: a create meets 409, a replace its ETag, a patch its filter); anything else
/// throws <see cref="CosmosException"/>.
/// </summary>
internal static class DocumentOperations
{
    public static async Task<T?> ReadAsync<T>(this Container container, string id, PartitionKey partitionKey, CancellationToken cancellationToken)
        where T : class
    {
        using var response = await container.ReadItemStreamAsync(id, partitionKey, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (IsNoSuchDocument(response))
        {
            return null;
        }

        EnsureSucceeded(response);
        return await DeserializeAsync<T>(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// One page of a query inside one partition: the query asks for <c>TOP limit + 1</c> and this reads up to that many,
    /// keeping only documents <paramref name="belongs"/> accepts (the local server does not scope results to the
    /// partition key, so callers check it again); <c>HasMore</c> when there was one beyond the page.
    /// </summary>
    public static async Task<(IReadOnlyList<T> Items, bool HasMore)> QueryPageAsync<T>(this Container container, QueryDefinition query, PartitionKey partitionKey, int limit, Func<T, bool> belongs, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var found = new List<T>();
        var options = new QueryRequestOptions { PartitionKey = partitionKey, MaxItemCount = limit + 1 };
        using var feed = container.GetItemQueryIterator<T>(query, requestOptions: options);
        while (feed.HasMoreResults && found.Count <= limit)
        {
            foreach (var document in await feed.ReadPageAsync(cancellationToken).ConfigureAwait(false))
            {
                if (found.Count <= limit && belongs(document))
                {
                    found.Add(document);
                }
            }
        }

        return found.Count > limit ? (found[..limit], true) : (found, false);
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

    /// <summary>Creates or replaces the document, whatever is stored (for documents only one writer ever writes).</summary>
    public static async Task UpsertAsync<T>(this Container container, T document, PartitionKey partitionKey, CancellationToken cancellationToken)
        where T : class
    {
        using var body = Serialize(document);
        using var response = await container.UpsertItemStreamAsync(body, partitionKey, cancellationToken: cancellationToken).ConfigureAwait(false);
        EnsureSucceeded(response);
    }

    /// <summary>
    /// Writes the document <paramref name="write"/> makes of the stored one (null when there is none; it keeps the fields
    /// this version does not know) unless the stored one is newer (<paramref name="storedIsNewer"/>, or of a newer schema
    /// version: a copy is then kept as it is, not refused): create when there is none, otherwise an ETag-guarded replace;
    /// a race (409, 412) reads again. False when the stored one was kept.
    /// </summary>
    public static async Task<bool> WriteUnlessNewerAsync<T>(this Container container, string id, PartitionKey partitionKey, Func<T?, T> write, Func<T, T, bool> storedIsNewer, CancellationToken cancellationToken)
        where T : StoredDocument
    {
        const int MaxAttempts = 5;
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            var stored = await container.ReadAsync<T>(id, partitionKey, cancellationToken).ConfigureAwait(false);
            var document = write(stored);
            if (stored is null)
            {
                if ((await container.CreateAsync(document, partitionKey, cancellationToken).ConfigureAwait(false)).Status != HttpStatusCode.Conflict)
                {
                    return true;
                }

                continue;
            }

            if (storedIsNewer(stored, document) || stored.SchemaVersion > document.SchemaVersion)
            {
                return false;
            }

            var replaced = await container.ReplaceAsync(document, id, partitionKey, stored.ETag ?? "*", cancellationToken).ConfigureAwait(false);
            if (replaced.Status == HttpStatusCode.OK)
            {
                return true;
            }
        }

        throw new InvalidOperationException($"Document '{id}' kept changing concurrently; gave up after {MaxAttempts} attempts.");
    }

    /// <summary>
    /// The write of a job's small state document (the missed-event sweep's position) under optimistic concurrency: create when
    /// <paramref name="etag"/> is null, otherwise replace the stored one if it still has <paramref name="etag"/>, read
    /// first so that a document of a newer schema version is not rewritten and fields this version does not know are kept.
    /// Returns the new ETag, or null when another run wrote first (409 on create, a changed or missing document, 412).
    /// </summary>
    public static async Task<string?> TryCreateOrReplaceAsync<T>(this Container container, T document, PartitionKey partitionKey, string? etag, CancellationToken cancellationToken)
        where T : StoredDocument
    {
        if (etag is null)
        {
            return (await container.CreateAsync(document, partitionKey, cancellationToken).ConfigureAwait(false)).Document?.ETag;
        }

        var stored = await container.ReadAsync<T>(document.Id, partitionKey, cancellationToken).ConfigureAwait(false);
        if (stored is null || !string.Equals(stored.ETag, etag, StringComparison.Ordinal))
        {
            return null;
        }

        stored.EnsureRewritableBy(document.SchemaVersion);
        document.ExtensionData = stored.PreservedFields();
        return (await container.ReplaceAsync(document, document.Id, partitionKey, etag, cancellationToken).ConfigureAwait(false)).Document?.ETag;
    }

    /// <summary>The source of a stored procedure embedded in this assembly (<c>Usage/record-usage.js</c> is <c>Billing.Cosmos.Usage.record-usage.js</c>).</summary>
    public static string ProcedureSource(string resourceName)
    {
        using var stream = typeof(DocumentOperations).Assembly.GetManifestResourceStream(resourceName)
                           ?? throw new InvalidOperationException($"The stored procedure {resourceName} is not embedded in Billing.Cosmos.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>
    /// A procedure's own abort on a write conflict (<c>"{procedure} write conflict"</c>: Cosmos DB answers every aborted
    /// script with 400), or a 449 "retry with": nothing was written, run it again.
    /// </summary>
    public static bool IsWriteConflict(CosmosException exception, string procedure)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return (int)exception.StatusCode == 449
               || (exception.StatusCode == HttpStatusCode.BadRequest && exception.Message.Contains(procedure + " write conflict", StringComparison.Ordinal));
    }

    /// <summary>
    /// Cosmos DB refused a write because the logical partition it goes to holds its maximum (20 GB of data and index):
    /// 403 with substatus 1014, "Partition key reached maximum size of {...} GB" (learn.microsoft.com, "Diagnose and
    /// troubleshoot Azure Cosmos DB forbidden exceptions"), or a stored procedure aborted by that refusal, which Cosmos DB
    /// answers as an aborted script (400) carrying its message. Nothing of the request was written.
    /// </summary>
    public static bool IsPartitionFull(CosmosException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return (exception.StatusCode == HttpStatusCode.Forbidden && exception.SubStatusCode == PartitionKeyQuotaOverLimit)
               || (exception.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.BadRequest
                   && exception.Message.Contains(PartitionFullMessage, StringComparison.OrdinalIgnoreCase));
    }

    private const int PartitionKeyQuotaOverLimit = 1014;

    private const string PartitionFullMessage = "Partition key reached maximum size";

    /// <summary>
    /// The pause before attempt <paramref name="attempt"/> + 1 of a write that lost a race (a replace whose ETag changed,
    /// a procedure's write conflict): jittered and growing with the attempt, so writers racing on one document stop
    /// colliding in lock-step (5 ms plus up to 5 ms per attempt so far, at most 55 ms).
    /// </summary>
    public static Task PauseBeforeRetryAsync(TimeProvider time, int attempt, CancellationToken cancellationToken)
    {
        var ceiling = RetryPause * Math.Clamp(attempt, 1, 10);
#pragma warning disable CA5394 // Jitter, not security.
        return Task.Delay(RetryPause + (ceiling * Random.Shared.NextDouble()), time, cancellationToken);
#pragma warning restore CA5394
    }

    private static readonly TimeSpan RetryPause = TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// Runs a stored procedure of the container in one partition with <paramref name="input"/> as its one argument and
    /// reads the body it set. A procedure that throws is rolled back and surfaces as a <see cref="CosmosException"/>,
    /// except when it stopped because Cosmos DB no longer accepted its operations (its bounded time was up): that is
    /// the store refusing the request, nothing done, so <see cref="ServiceUnavailableException"/> as for throttling.
    /// </summary>
    public static async Task<TOut> ExecuteAsync<TIn, TOut>(this Container container, string procedureId, TIn input, PartitionKey partitionKey, CancellationToken cancellationToken)
        where TOut : class
    {
        using var body = Serialize(new[] { input });
        using var response = await container.Scripts.ExecuteStoredProcedureStreamAsync(procedureId, body, partitionKey, null, cancellationToken).ConfigureAwait(false);
        try
        {
            EnsureSucceeded(response);
        }
        catch (CosmosException exception) when (IsNotAccepted(exception))
        {
            throw new ServiceUnavailableException($"Cosmos DB did not accept the {procedureId} procedure's operations in its bounded time; the execution was rolled back and nothing was written.", exception);
        }

        return await DeserializeAsync<TOut>(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A procedure's own abort when an operation was not accepted (<c>must()</c> in <c>record-usage.js</c> and
    /// <c>allocate.js</c>: the execution's time is up); Cosmos DB answers every aborted script with 400.
    /// </summary>
    private static bool IsNotAccepted(CosmosException exception) =>
        exception.StatusCode == HttpStatusCode.BadRequest && exception.Message.Contains(NotAcceptedMessage, StringComparison.Ordinal);

    private const string NotAcceptedMessage = "The request was not accepted (the procedure ran out of time)";

    /// <summary>Deletes the document; <see cref="HttpStatusCode.NotFound"/> when there is none.</summary>
    public static async Task<HttpStatusCode> DeleteAsync(this Container container, string id, PartitionKey partitionKey, CancellationToken cancellationToken)
    {
        using var response = await container.DeleteItemStreamAsync(id, partitionKey, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!IsNoSuchDocument(response))
        {
            EnsureSucceeded(response);
        }

        return response.StatusCode;
    }

    /// <summary>
    /// The next page of a query; throttling or an unavailable service as <see cref="ServiceUnavailableException"/>, and
    /// so is any 404: a query finds nothing with an empty page, so a 404 means the database or container is missing (the
    /// SDK reads the container's properties before the query and reports that read's 404 with substatus 0); a 404 with
    /// substatus 1002 (the replica has not reached the client's session yet, see <see cref="IsNoSuchDocument"/>) is a 503 too.
    /// </summary>
    public static async Task<FeedResponse<T>> ReadPageAsync<T>(this FeedIterator<T> feed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(feed);
        try
        {
            return await feed.ReadNextAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (CosmosException exception) when (IsRefusal(exception.StatusCode))
        {
            throw Unavailable(exception);
        }
        catch (CosmosException exception) when (exception.StatusCode == HttpStatusCode.NotFound)
        {
            throw NoSuchContainer(exception);
        }
    }

    /// <summary>
    /// A 404 that means "no such document". Cosmos DB answers 404 with substatus 1003 when the database or the container
    /// is not there (deleted, or a wrong database name with provisioning off): that is the store being unusable, not an
    /// account with nothing in it, so it is <see cref="ServiceUnavailableException"/> (503), never "not found". So is a 404
    /// with substatus 1002 (ReadSessionNotAvailable): the replica that served the read has not yet received the writes
    /// of the client's session, so the document may well exist. The SDK retries that one on the write region only with
    /// endpoint discovery, which <c>LimitToEndpoint</c> turns off, and hands it to the caller once its retries are spent.
    /// </summary>
    private static bool IsNoSuchDocument(ResponseMessage response)
    {
        if (response.StatusCode != HttpStatusCode.NotFound)
        {
            return false;
        }

        switch (response.Headers["x-ms-substatus"])
        {
            case OwnerResourceNotFound:
                throw NoSuchContainer(null);
            case ReadSessionNotAvailable:
                throw new ServiceUnavailableException(SessionNotAvailableMessage);
            default:
                return true;
        }
    }

    private const string OwnerResourceNotFound = "1003";

    private const string ReadSessionNotAvailable = "1002";

    private const string SessionNotAvailableMessage = "Cosmos DB could not serve the read at this client's session yet (404 with substatus 1002, ReadSessionNotAvailable: the replica has not received the session's writes); the document may exist, nothing was read.";

    private static ServiceUnavailableException NoSuchContainer(Exception? inner) => inner is null
        ? new(NoSuchContainerMessage)
        : new(NoSuchContainerMessage, inner);

    private const string NoSuchContainerMessage = "Cosmos DB has no such database or container (404 with substatus 1003, or 404 to a query, which may also be a replica behind the session: substatus 1002); nothing was read or written.";

    private static void EnsureSucceeded(ResponseMessage response)
    {
        try
        {
            response.EnsureSuccessStatusCode();
        }
        catch (CosmosException exception) when (IsRefusal(exception.StatusCode))
        {
            throw Unavailable(exception);
        }
    }

    /// <summary>
    /// Cosmos DB refused the request without doing it (throttled after the SDK's own retries, or unavailable), or did
    /// not answer it in time (408: it may have done it).
    /// </summary>
    private static bool IsRefusal(HttpStatusCode status) => status is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable or HttpStatusCode.RequestTimeout;

    private static ServiceUnavailableException Unavailable(CosmosException refusal) => refusal.StatusCode == HttpStatusCode.RequestTimeout
        ? new($"Cosmos DB did not answer the request in time ({(int)refusal.StatusCode}); it may have been done.", refusal) { MayHaveBeenDone = true }
        : new($"Cosmos DB refused the request ({(int)refusal.StatusCode}); it was not done.", refusal);

    private static async Task<DocumentResult<T>> ResultAsync<T>(ResponseMessage response, HttpStatusCode[] expectedFailures, CancellationToken cancellationToken)
        where T : class
    {
        if (expectedFailures.Contains(response.StatusCode) && (response.StatusCode != HttpStatusCode.NotFound || IsNoSuchDocument(response)))
        {
            return new DocumentResult<T>(response.StatusCode, null);
        }

        EnsureSucceeded(response);
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
