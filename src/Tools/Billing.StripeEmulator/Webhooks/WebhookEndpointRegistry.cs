using Billing.StripeEmulator.Configuration;
using Billing.StripeEmulator.State;
using Microsoft.Extensions.Options;

namespace Billing.StripeEmulator.Webhooks;

/// <summary>The configured endpoints plus those added with `POST /_emulator/webhook_endpoints` (dropped by a reset).</summary>
internal sealed class WebhookEndpointRegistry
{
    private readonly Lock _gate = new();
    private readonly List<WebhookEndpoint> _configured;
    private readonly List<WebhookEndpoint> _runtime = [];

    public WebhookEndpointRegistry(IOptions<EmulatorOptions> options)
    {
        _configured = [.. options.Value.WebhookEndpoints.Select(e => new WebhookEndpoint(IdGenerator.New("we"), new Uri(e.Url), e.Secret, FromConfiguration: true, e.ApiVersion))];
    }

    public IReadOnlyList<WebhookEndpoint> All
    {
        get
        {
            lock (_gate)
            {
                return [.. _configured, .. _runtime];
            }
        }
    }

    public WebhookEndpoint Add(Uri url, string secret, string apiVersion)
    {
        var endpoint = new WebhookEndpoint(IdGenerator.New("we"), url, secret, FromConfiguration: false, apiVersion);
        lock (_gate)
        {
            _runtime.Add(endpoint);
        }

        return endpoint;
    }

    public void ResetRuntime()
    {
        lock (_gate)
        {
            _runtime.Clear();
        }
    }
}
