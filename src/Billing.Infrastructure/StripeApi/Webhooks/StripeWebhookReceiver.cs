using System.Text;
using Billing.Application.StripeEvents;
using Billing.Domain.Subscriptions;

namespace Billing.Infrastructure.StripeApi.Webhooks;

/// <summary>
/// Turns a webhook request's raw body and <c>Stripe-Signature</c> header into the event to store: the signature must
/// verify under one of the configured secrets (with the injected clock), and the signed body must be a Stripe event
/// envelope with an <c>evt_</c> id. Only the envelope is read; the payload is kept exactly as received.
/// </summary>
public sealed class StripeWebhookReceiver(StripeWebhookVerifier verifier)
{
    public WebhookReceipt Read(byte[] body, string? signatureHeader)
    {
        ArgumentNullException.ThrowIfNull(body);
        var verification = verifier.Verify(body, signatureHeader);
        if (!verification.IsValid)
        {
            return WebhookReceipt.Rejected(Code(verification.Failure), verification.Reason);
        }

        if (!StripeEventEnvelope.TryParse(body, out var envelope) || !envelope.Id.StartsWith("evt_", StringComparison.Ordinal) || !StripeIds.IsValid(envelope.Id))
        {
            return WebhookReceipt.Rejected("malformed_event", "The signed body is not a Stripe event (JSON object with id evt_..., type, created and data).");
        }

        return WebhookReceipt.Accepted(new NewStripeEvent
        {
            Id = envelope.Id,
            Type = envelope.Type,
            Created = envelope.Created,
            Livemode = envelope.Livemode,
            ApiVersion = envelope.ApiVersion,
            Payload = Encoding.UTF8.GetString(body), // valid UTF-8: the envelope reader checked it
        });
    }

    private static string Code(WebhookVerificationFailure failure) => failure switch
    {
        WebhookVerificationFailure.MissingHeader => "missing_signature",
        WebhookVerificationFailure.MalformedHeader => "malformed_signature",
        WebhookVerificationFailure.NoMatchingSignature => "no_matching_signature",
        WebhookVerificationFailure.TimestampOutsideTolerance => "timestamp_outside_tolerance",
        _ => "invalid_signature",
    };
}

/// <summary>Either the event to store, or why the request was rejected (a machine-readable code and a sentence).</summary>
public sealed record WebhookReceipt(NewStripeEvent? Event, string? RejectionCode, string? RejectionDetail)
{
    public static WebhookReceipt Accepted(NewStripeEvent stripeEvent) => new(stripeEvent, null, null);

    public static WebhookReceipt Rejected(string code, string detail) => new(null, code, detail);
}
