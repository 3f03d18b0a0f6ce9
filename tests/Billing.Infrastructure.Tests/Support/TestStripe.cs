using Billing.Infrastructure.StripeApi;
using Microsoft.Extensions.Options;

namespace Billing.Infrastructure.Tests.Support;

/// <summary>A <see cref="StripeClientFactory"/> whose HttpClient ends in a <see cref="StubStripeHandler"/>.</summary>
internal static class TestStripe
{
    public const string SecretKey = "sk_test_infrastructure_tests";

    public static StripeClientFactory Clients(StubStripeHandler handler, int maxNetworkRetries = 2) =>
        Clients((HttpMessageHandler)handler, maxNetworkRetries);

    /// <summary>A factory whose HttpClient is <paramref name="handler"/> (a chain ending in a stub).</summary>
    public static StripeClientFactory Clients(HttpMessageHandler handler, int maxNetworkRetries = 2)
    {
        var options = new StripeOptions { SecretKey = SecretKey, ApiBase = new Uri("http://stripe.test:12111"), MaxNetworkRetries = maxNetworkRetries };
        options.WebhookSecrets.Add("whsec_test");
        return new StripeClientFactory(new SingleClientFactory(handler), Options.Create(options));
    }

    private sealed class SingleClientFactory(HttpMessageHandler handler) : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new(handler, disposeHandler: false);
    }
}
