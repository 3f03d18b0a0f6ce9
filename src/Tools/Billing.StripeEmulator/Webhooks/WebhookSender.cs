using System.Net.Http.Headers;
using System.Text;
using Billing.StripeEmulator.State.Objects;
using Billing.StripeEmulator.Wire;
using Billing.StripeEmulator.Wire.Shapes;

namespace Billing.StripeEmulator.Webhooks;

/// <summary>One signed POST of an event to an endpoint, as Stripe sends it; reports how it went.</summary>
internal sealed class WebhookSender(IHttpClientFactory httpClients, TimeProvider time)
{
    public const string HttpClientName = "webhooks";

    public async Task<SendResult> SendAsync(EventRecord record, WebhookEndpoint endpoint, CancellationToken cancellationToken)
    {
        var body = StripeJson.Serialize(EventShape.ToJson(record, endpoint.ApiVersion));
        var timestamp = time.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Url)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("Stripe-Signature", WebhookSigner.SignatureHeader(endpoint.Secret, timestamp, body));
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("Stripe", "1.0"));
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("(+https://stripe.com/docs/webhooks)"));
        request.Headers.CacheControl = new CacheControlHeaderValue { NoCache = true };

        var started = time.GetTimestamp();
        int? status = null;
        string? error = null;
        try
        {
            using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, cancellationToken);
            status = (int)response.StatusCode;
        }
        catch (HttpRequestException exception)
        {
            error = exception.Message;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            error = "The endpoint did not answer in time.";
        }

        return new SendResult(status, error, (long)time.GetElapsedTime(started).TotalMilliseconds);
    }
}

/// <summary>The HTTP status (null when none came back), the failure if any, and how long it took.</summary>
internal sealed record SendResult(int? StatusCode, string? Error, long DurationMs)
{
    public bool Succeeded => StatusCode is >= 200 and < 300;
}
