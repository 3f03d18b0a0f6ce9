using Microsoft.Extensions.Options;
using Stripe;

namespace Billing.Infrastructure.StripeApi;

/// <summary>
/// Builds a <see cref="StripeClient"/> from <see cref="StripeOptions"/> on an <see cref="HttpClient"/> from
/// <see cref="IHttpClientFactory"/> (named <see cref="HttpClientName"/>). The adapters call <see cref="Create"/> per
/// operation instead of keeping one client: a kept client would keep its HttpClient's handler for ever (the factory
/// could no longer rotate it, so DNS changes would be missed). Construction is cheap (an options copy and a
/// User-Agent string; handlers are pooled by the factory). No <c>StripeConfiguration</c> static state is used.
/// </summary>
public sealed class StripeClientFactory(IHttpClientFactory httpClients, IOptions<StripeOptions> options)
{
    public const string HttpClientName = "Stripe";

    private static readonly AppInfo Application = new()
    {
        Name = "Billing",
        Version = typeof(StripeClientFactory).Assembly.GetName().Version?.ToString(),
    };

    public StripeClient Create() => Create(options.Value.MaxNetworkRetries);

    /// <summary>A client with its own retry count (the health check makes one attempt).</summary>
    internal StripeClient Create(int maxNetworkRetries)
    {
        var settings = options.Value;
        var apiBase = settings.ApiBaseForClient;
        var transport = new SystemNetHttpClient(
            httpClients.CreateClient(HttpClientName),
            maxNetworkRetries,
            Application,
            enableTelemetry: false);
        return new StripeClient(new StripeClientOptions
        {
            ApiKey = settings.SecretKey,
            ApiBase = apiBase,

            // With another API base (the emulator) nothing may reach *.stripe.com.
            ConnectBase = apiBase,
            FilesBase = apiBase,
            MeterEventsBase = apiBase,
            HttpClient = transport,
        });
    }
}
