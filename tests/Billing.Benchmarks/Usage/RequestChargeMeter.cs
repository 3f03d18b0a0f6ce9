using Billing.Cosmos.Client;
using Microsoft.Azure.Cosmos;

namespace Billing.Benchmarks.Usage;

/// <summary>
/// A Cosmos SDK request handler that counts the requests of its client and sums their request charge (the
/// <c>x-ms-request-charge</c> of each response, as the SDK reads it into <see cref="Headers.RequestCharge"/>).
/// </summary>
internal sealed class RequestChargeMeter : RequestHandler
{
    private readonly Lock _gate = new();
    private RequestCharges _since;

    /// <summary>A client as <see cref="CosmosClientFactory.Create"/> builds it (same options: Gateway mode, serializer,
    /// the loopback compatibility handler), with this meter in its request pipeline.</summary>
    public CosmosClient CreateClient(string connectionString)
    {
        if (!CosmosConnectionString.TryParse(connectionString, out var parsed, out var error))
        {
            throw new InvalidOperationException("Invalid Cosmos DB connection string: " + error);
        }

        var options = CosmosClientFactory.CreateClientOptions(parsed.AccountEndpoint);
        options.CustomHandlers.Add(this);
        return new CosmosClient(connectionString, options);
    }

    public override async Task<ResponseMessage> SendAsync(RequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            _since += new RequestCharges(1, response.Headers.RequestCharge);
        }

        return response;
    }

    /// <summary>The requests and charge since the last call, and starts counting again.</summary>
    public RequestCharges Take()
    {
        lock (_gate)
        {
            var taken = _since;
            _since = default;
            return taken;
        }
    }
}

/// <summary>A number of Cosmos requests and their summed request charge (RU).</summary>
internal readonly record struct RequestCharges(long Requests, double Charge)
{
    public static RequestCharges operator +(RequestCharges left, RequestCharges right) =>
        new(left.Requests + right.Requests, left.Charge + right.Charge);
}
