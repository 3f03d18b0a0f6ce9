using System.Net.Http.Headers;
using System.Text;
using Billing.TestSupport;

namespace Billing.EndToEnd.Tests.Support;

/// <summary>Builds webhook requests as Stripe sends them: the raw JSON body and a <c>Stripe-Signature</c> header.</summary>
internal static class SignedWebhook
{
    public const string Path = "/api/stripe/webhook";

    public static HttpRequestMessage Create(string body, string secret, DateTimeOffset? signedAt = null, string? sendInstead = null)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Path, UriKind.Relative))
        {
            Content = new ByteArrayContent(sendInstead is null ? bytes : Encoding.UTF8.GetBytes(sendInstead)),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.TryAddWithoutValidation(StripeSigner.HeaderName, StripeSigner.Header(signedAt ?? DateTimeOffset.UtcNow, bytes, secret));
        return request;
    }

    /// <summary>A minimal event body of the given type around <paramref name="dataObject"/>.</summary>
    public static string Event(string id, string type, string dataObject) =>
        $$$"""{"id":"{{{id}}}","object":"event","api_version":"2026-10-28.endive","created":{{{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}}},"livemode":false,"pending_webhooks":1,"request":{"id":null,"idempotency_key":null},"type":"{{{type}}}","data":{"object":{{{dataObject}}}}}""";

    public static string NewEventId() => "evt_" + Guid.NewGuid().ToString("N");
}
