namespace Billing.Cosmos.Client;

/// <summary>
/// Installed only for loopback endpoints. The local Cosmos protocol server answers a point read of a missing
/// document with a 500 (it dereferences the absent document) unless the request carries the cross-partition
/// header, in which case it takes its regular read path and answers 404 like Cosmos DB. Real Cosmos DB never
/// sees this handler.
/// </summary>
internal sealed class LocalServerCompatibilityHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    internal const string CrossPartitionHeader = "x-ms-documentdb-query-enablecrosspartition";

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (IsDocumentRead(request) && !request.Headers.Contains(CrossPartitionHeader))
        {
            request.Headers.TryAddWithoutValidation(CrossPartitionHeader, "True");
        }

        return base.SendAsync(request, cancellationToken);
    }

    /// <summary>GET /dbs/{db}/colls/{coll}/docs/{id}.</summary>
    internal static bool IsDocumentRead(HttpRequestMessage request)
    {
        if (request.Method != HttpMethod.Get || request.RequestUri is null)
        {
            return false;
        }

        var segments = request.RequestUri.AbsolutePath.Trim('/').Split('/');
        return segments.Length == 6 && segments[0] == "dbs" && segments[2] == "colls" && segments[4] == "docs";
    }
}
