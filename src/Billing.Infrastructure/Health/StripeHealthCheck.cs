using System.Globalization;
using Billing.Infrastructure.StripeApi;
using Microsoft.Extensions.Options;
using Stripe;

namespace Billing.Infrastructure.Health;

/// <summary>
/// Healthy when Stripe (or the emulator) answers an authenticated list of one price: the key works and the API is
/// reachable. One attempt, no retries (the caller bounds the time). Reports the mode, never the key.
/// </summary>
internal sealed class StripeHealthCheck(StripeClientFactory clients, IOptions<StripeOptions> options) : IDependencyCheck
{
    public string Name => "stripe";

    public async Task<(bool IsHealthy, string Detail)> CheckAsync(CancellationToken cancellationToken)
    {
        var where = options.Value.ApiBase is { } apiBase ? $"{apiBase.Host}:{apiBase.Port}" : "api.stripe.com";
        var mode = options.Value.KeyMode.ToString().ToLowerInvariant();
        try
        {
            await clients.Create(maxNetworkRetries: 0).V1.Prices.ListAsync(new PriceListOptions { Limit = 1 }, requestOptions: null, cancellationToken).ConfigureAwait(false);
            return (true, $"Stripe answers at {where} ({mode} mode).");
        }
        catch (StripeException exception)
        {
            return (false, string.Create(CultureInfo.InvariantCulture, $"Stripe at {where} answered {(int)exception.HttpStatusCode} {exception.StripeError?.Type}/{exception.StripeError?.Code} (request {exception.StripeResponse?.RequestId})."));
        }
        catch (HttpRequestException)
        {
            return (false, $"Stripe at {where} could not be reached.");
        }
    }
}
