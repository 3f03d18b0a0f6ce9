using Azure.Core;
using Azure.Core.Pipeline;
using Billing.Cosmos.Client;
using Billing.Cosmos.Configuration;
using Billing.Infrastructure.Queues;
using Microsoft.Azure.Cosmos;

namespace Billing.FunctionApp.Tests.Budgets;

/// <summary>
/// Every request the app's Cosmos client and its Stripe client send, in order, one line each: <c>read account</c>,
/// <c>replace usage</c>, <c>create stripe-events</c>, <c>query accounts</c> (inside one partition), <c>cross-partition
/// query accounts</c>, <c>procedure recordUsage-v5</c>, <c>change feed accounts</c>, <c>metadata</c> (database,
/// container and partition key range reads, which the SDK caches), <c>stripe GET /v1/prices/price_1</c> (each attempt)
/// and the app's queue requests: <c>queue send invoice-jobs</c>, <c>queue delete stripe-events</c>, <c>queue receive ...</c>,
/// <c>queue peek ...</c> (each attempt).
/// A document is named by its kind, its id's prefix in the accounts container (<c>account:user-1</c> is an
/// <c>account</c>), else by its container. Query plan requests (the gateway's, free of RU) are left out: the query's
/// own line says where it went.
/// </summary>
public sealed class RequestLog
{
    private readonly Lock _gate = new();
    private readonly List<string> _requests = [];

    /// <summary>The requests since the last call, and starts again.</summary>
    public IReadOnlyList<string> Take()
    {
        lock (_gate)
        {
            var taken = _requests.ToArray();
            _requests.Clear();
            return taken;
        }
    }

    /// <summary>A client as the app builds it (<see cref="CosmosClientFactory"/>'s options), with this log in its pipeline.</summary>
    public CosmosClient CosmosClient(CosmosOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Assert.True(CosmosConnectionString.TryParse(options.ConnectionString, out var parsed, out var error), error);
        var clientOptions = CosmosClientFactory.CreateClientOptions(parsed.AccountEndpoint);
        clientOptions.CustomHandlers.Add(new CosmosRequests(this));
        return new CosmosClient(options.ConnectionString, clientOptions);
    }

    /// <summary>A handler for the Stripe HttpClient: one line per attempt that leaves the process.</summary>
    public DelegatingHandler StripeHandler() => new StripeRequests(this);

    /// <summary>
    /// A queue service client as the app builds it (<see cref="QueueServiceFactory.ClientOptions"/>), with this log in its
    /// pipeline; a queue is named by its default name (<c>stripe-events</c>, <c>invoice-jobs</c>), whatever <paramref name="names"/> configure.
    /// </summary>
    public Azure.Storage.Queues.QueueServiceClient QueueServiceClient(string connectionString, QueueNameOptions names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var defaults = new QueueNameOptions();
        var roles = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [names.QueueName] = defaults.QueueName,
            [names.PoisonQueueName] = defaults.PoisonQueueName,
            [names.NotificationsQueueName] = defaults.NotificationsQueueName,
            [names.InvoiceJobsQueueName] = defaults.InvoiceJobsQueueName,
            [names.InvoiceJobsPoisonQueueName] = defaults.InvoiceJobsPoisonQueueName,
        };
        var options = QueueServiceFactory.ClientOptions();
        options.AddPolicy(new QueueRequests(this, roles), HttpPipelinePosition.PerRetry);
        return new Azure.Storage.Queues.QueueServiceClient(connectionString, options);
    }

    private void Add(string request)
    {
        lock (_gate)
        {
            _requests.Add(request);
        }
    }

    /// <summary>
    /// What a Cosmos request is, from the SDK's own resource and operation type (internal to the SDK: read by reflection,
    /// which fails the test loudly should they move) and its address.
    /// </summary>
    private static string? Describe(RequestMessage request)
    {
        var resource = Internal(request, "ResourceType");
        var operation = Internal(request, "OperationType");
        var segments = request.RequestUri.OriginalString.Trim('/').Split('/');
        string At(string name) => Array.IndexOf(segments, name) is var i and >= 0 && i + 1 < segments.Length ? Uri.UnescapeDataString(segments[i + 1]) : "";
        var container = At("colls");
        return (resource, operation) switch
        {
            ("StoredProcedure", "ExecuteJavaScript") => "procedure " + At("sprocs"),
            ("Document", "QueryPlan") => null,
            ("Document", "Query" or "SqlQuery") => (string.IsNullOrEmpty(request.Headers["x-ms-documentdb-partitionkey"]) ? "cross-partition query " : "query ") + container,
            ("Document", "ReadFeed") => (string.IsNullOrEmpty(request.Headers["A-IM"]) ? "read feed " : "change feed ") + container,
            ("Document", "Create" or "Upsert") => operation.ToLowerInvariant() + " " + Kind(IdInBody(request.Content), container),
            ("Document", _) => operation.ToLowerInvariant() + " " + Kind(At("docs"), container),
            _ => "metadata",
        };
    }

    private static string Internal(RequestMessage request, string property) =>
        typeof(RequestMessage).GetProperty(property, System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic)!.GetValue(request)!.ToString()!;

    private sealed class CosmosRequests(RequestLog log) : RequestHandler
    {
        public override Task<ResponseMessage> SendAsync(RequestMessage request, CancellationToken cancellationToken)
        {
            if (Describe(request) is { } line)
            {
                log.Add(line);
            }

            return base.SendAsync(request, cancellationToken);
        }
    }

    /// <summary>A document's kind: its id's prefix in the accounts container (<c>usage:user-1:...</c>), else its container's name.</summary>
    private static string Kind(string id, string container) => id.Contains(':', StringComparison.Ordinal) ? id[..id.IndexOf(':', StringComparison.Ordinal)] : container;

    /// <summary>The <c>id</c> of the document a create or upsert sends.</summary>
    private static string IdInBody(Stream? body)
    {
        Assert.True(body is { CanSeek: true }, "The SDK sent a document body that cannot be read twice.");
        var start = body.Position;
        using var json = System.Text.Json.JsonDocument.Parse(body);
        body.Position = start;
        return json.RootElement.GetProperty("id").GetString()!;
    }

    private sealed class StripeRequests(RequestLog log) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            log.Add($"stripe {request.Method} {request.RequestUri?.AbsolutePath}");
            return base.SendAsync(request, cancellationToken);
        }
    }

    /// <summary>One line per queue request: its operation (from the method and the address) and the queue's name.</summary>
    private sealed class QueueRequests(RequestLog log, Dictionary<string, string> roles) : HttpPipelineSynchronousPolicy
    {
        public override void OnSendingRequest(HttpMessage message)
        {
            var segments = message.Request.Uri.Path.Trim('/').Split('/');
            var messages = Array.IndexOf(segments, "messages");
            var query = message.Request.Uri.Query;
            var operation = (message.Request.Method.Method, messages) switch
            {
                (_, < 0) => "metadata",
                ("POST", _) => "send",
                ("DELETE", _) => "delete",
                ("PUT", _) => "update",
                ("GET", _) when query.Contains("peekonly=true", StringComparison.OrdinalIgnoreCase) => "peek",
                _ => "receive",
            };
            log.Add(messages > 0 ? $"queue {operation} {roles.GetValueOrDefault(segments[messages - 1], segments[messages - 1])}" : "queue " + operation);
        }
    }
}
