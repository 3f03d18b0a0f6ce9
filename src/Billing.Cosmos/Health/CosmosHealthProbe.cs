using System.Globalization;
using System.Net;
using Billing.Cosmos.Configuration;
using Billing.Cosmos.Logging;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Billing.Cosmos.Health;

/// <summary>
/// Reads the billing database's metadata: proves the endpoint is reachable, the credentials work and the database
/// exists. One metadata read, bounded by <see cref="Timeout"/>; keep the probing interval modest (metadata
/// requests have their own rate limit on real Cosmos DB).
/// </summary>
public sealed class CosmosHealthProbe(CosmosClient client, IOptions<CosmosOptions> options, ILogger<CosmosHealthProbe> logger)
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public async Task<CosmosHealthResult> CheckAsync(CancellationToken cancellationToken)
    {
        var databaseName = options.Value.DatabaseName;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        CosmosHealthResult result;
        try
        {
            using var response = await client.GetDatabase(databaseName).ReadStreamAsync(cancellationToken: timeout.Token).ConfigureAwait(false);
            result = response.StatusCode switch
            {
                HttpStatusCode.OK => CosmosHealthResult.Healthy,
                HttpStatusCode.NotFound => CosmosHealthResult.Unhealthy($"Database '{databaseName}' does not exist (provisioning not run?)."),
                HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => CosmosHealthResult.Unhealthy($"Cosmos DB refused the credentials ({(int)response.StatusCode})."),
                _ => CosmosHealthResult.Unhealthy(string.Create(CultureInfo.InvariantCulture, $"Reading database '{databaseName}' answered {(int)response.StatusCode} {response.StatusCode}.")),
            };
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            result = CosmosHealthResult.Unhealthy($"Cosmos DB did not answer within {Timeout.TotalSeconds:0} s.");
        }
        catch (CosmosException e)
        {
            result = CosmosHealthResult.Unhealthy(string.Create(CultureInfo.InvariantCulture, $"Cosmos DB error {(int)e.StatusCode} {e.StatusCode}."));
        }
        catch (HttpRequestException e)
        {
            result = CosmosHealthResult.Unhealthy($"Cosmos DB could not be reached ({e.HttpRequestError})."); // not the message: it names hosts and addresses
        }

        if (!result.IsHealthy)
        {
            CosmosLog.Unhealthy(logger, result.Reason!);
        }

        return result;
    }
}
