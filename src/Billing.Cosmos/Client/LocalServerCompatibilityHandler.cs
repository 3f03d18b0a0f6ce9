using System.Net;
using System.Text;

namespace Billing.Cosmos.Client;

/// <summary>
/// Installed only for loopback endpoints. The local Cosmos protocol server answers a point read of a missing
/// document with a 500 (it dereferences the absent document) unless the request carries the cross-partition
/// header, in which case it takes its regular read path and answers 404 like Cosmos DB. It also has no query
/// planner: a query-plan request is answered here with a plan of one pass-through range (no TOP, ORDER BY or
/// aggregate rewriting), so the server runs the whole query itself (its results are not scoped to a partition key:
/// put the partition key in the WHERE clause). Real Cosmos DB never sees this handler.
/// </summary>
internal sealed class LocalServerCompatibilityHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    internal const string CrossPartitionHeader = "x-ms-documentdb-query-enablecrosspartition";

    internal const string QueryPlanHeader = "x-ms-cosmos-is-query-plan-request";

    /// <summary>A query plan with nothing for the SDK to do but pass the query through to the one range.</summary>
    internal const string PassThroughQueryPlan =
        """{"partitionedQueryExecutionInfoVersion":2,"queryInfo":{"distinctType":"None","top":null,"offset":null,"limit":null,"orderBy":[],"orderByExpressions":[],"groupByExpressions":[],"groupByAliases":[],"aggregates":[],"groupByAliasToAggregateType":{},"rewrittenQuery":"","hasSelectValue":false,"hasNonStreamingOrderBy":false},"queryRanges":[{"min":"","max":"FF","isMinInclusive":true,"isMaxInclusive":false}]}""";

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (IsQueryPlanRequest(request))
        {
            var plan = new HttpResponseMessage(HttpStatusCode.OK)
            {
                RequestMessage = request,
                Content = new StringContent(PassThroughQueryPlan, Encoding.UTF8, "application/json"),
            };
            plan.Headers.TryAddWithoutValidation("x-ms-activity-id", Guid.NewGuid().ToString());
            plan.Headers.TryAddWithoutValidation("x-ms-request-charge", "0");
            return Task.FromResult(plan);
        }

        if (IsDocumentRead(request) && !request.Headers.Contains(CrossPartitionHeader))
        {
            request.Headers.TryAddWithoutValidation(CrossPartitionHeader, "True");
        }

        return base.SendAsync(request, cancellationToken);
    }

    /// <summary>POST /dbs/{db}/colls/{coll}/docs with the query-plan header.</summary>
    internal static bool IsQueryPlanRequest(HttpRequestMessage request)
    {
        if (request.Method != HttpMethod.Post || request.RequestUri is null ||
            !request.Headers.TryGetValues(QueryPlanHeader, out var values) || !values.Any(v => v.Equals("True", StringComparison.OrdinalIgnoreCase)))
        {
            return false;
        }

        var segments = request.RequestUri.AbsolutePath.Trim('/').Split('/');
        return segments.Length == 5 && segments[0] == "dbs" && segments[2] == "colls" && segments[4] == "docs";
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
