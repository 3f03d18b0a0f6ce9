using System.Text;
using Billing.Application;
using Billing.Application.StripeEvents;
using Billing.Application.StripeEvents.Ingest;
using Microsoft.Extensions.Logging;

namespace Billing.Infrastructure.StripeApi.Webhooks;

/// <summary>
/// The webhook endpoint's one service: the raw body and its <c>Stripe-Signature</c> header in, what to answer out.
/// The signature must verify under one of the configured secrets (with the injected clock) and the signed body must be
/// a Stripe event envelope with an <c>evt_</c> id; only the envelope is read and the payload is kept exactly as
/// received. Then <see cref="StripeEventIngest"/> stores and queues it. A rejected request keeps nothing; an event the
/// store or the queue could not take is <see cref="WebhookReceiptStatus.Unavailable"/>, so Stripe delivers it again
/// (a warning through an outage, which that retry mends; an error otherwise).
/// </summary>
public sealed partial class StripeWebhookReceiver(StripeWebhookVerifier verifier, StripeEventIngest ingest, ILogger<StripeWebhookReceiver> logger)
{
    public async Task<WebhookReceipt> ReceiveAsync(byte[] body, string? signatureHeader, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        var verification = verifier.Verify(body, signatureHeader);
        if (!verification.IsValid)
        {
            return Rejected(Code(verification.Failure), verification.Reason, likelyFromStripe: verification is { Failure: WebhookVerificationFailure.NoMatchingSignature, TimestampIsCurrent: true });
        }

        if (!StripeEventEnvelope.TryParse(body, out var envelope))
        {
            return Rejected("malformed_event", "The signed body is not a Stripe event (JSON object with id evt_..., type, created and data).");
        }

        var stripeEvent = new NewStripeEvent
        {
            Id = envelope.Id,
            Type = envelope.Type,
            Created = envelope.Created,
            Livemode = envelope.Livemode,
            ApiVersion = envelope.ApiVersion,
            Payload = Encoding.UTF8.GetString(body), // valid UTF-8: the envelope reader checked it
        };
        try
        {
            var outcome = await ingest.IngestAsync(stripeEvent, cancellationToken).ConfigureAwait(false);
            return new WebhookReceipt(WebhookReceiptStatus.Kept, Duplicate: outcome != StripeEventIngestOutcome.Queued, null, null);
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            if (IsOutage(exception))
            {
                LogNotKeptThroughOutage(exception, stripeEvent.Id, stripeEvent.Type);
            }
            else
            {
                LogNotKept(exception, stripeEvent.Id, stripeEvent.Type);
            }

            return new WebhookReceipt(WebhookReceiptStatus.Unavailable, Duplicate: false, "unavailable", "The event could not be stored or queued; it was not acknowledged, so Stripe will deliver it again.");
        }
    }

    /// <summary>
    /// Refuses the request. One whose signature was made just now but under none of the configured secrets is most
    /// likely Stripe's: the endpoint's secret was rolled or belongs to another endpoint or mode, or something on the way
    /// changed the body. Every event is then refused until someone fixes it (Stripe gives up after three days), so that
    /// is an Error for the operator's alert; anything else (stale, unsigned, malformed) is what any client can send.
    /// </summary>
    private WebhookReceipt Rejected(string code, string detail, bool likelyFromStripe = false)
    {
        if (likelyFromStripe)
        {
            LogSignedWithAnotherSecret(code);
        }
        else
        {
            LogRejected(code);
        }

        return new WebhookReceipt(WebhookReceiptStatus.Rejected, Duplicate: false, code, detail);
    }

    /// <summary>
    /// The store or the queue down, throttling, timing out or unreachable (their adapters say so, as the HTTP middleware
    /// reads them for every other function): Stripe's retry of the delivery mends it, and a lasting outage shows in the
    /// 5xx alert. Anything else (a refusal, a bug) no retry mends: an error for the operator.
    /// </summary>
    private static bool IsOutage(Exception exception) =>
        exception is ServiceUnavailableException || ServiceUnavailableException.IsNoConnection(exception);

    private static string Code(WebhookVerificationFailure failure) => failure switch
    {
        WebhookVerificationFailure.MissingHeader => "missing_signature",
        WebhookVerificationFailure.MalformedHeader => "malformed_signature",
        WebhookVerificationFailure.NoMatchingSignature => "no_matching_signature",
        WebhookVerificationFailure.TimestampOutsideTolerance => "timestamp_outside_tolerance",
        _ => "invalid_signature",
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stripe webhook rejected: {Code}; nothing stored")]
    private partial void LogRejected(string code);

    [LoggerMessage(Level = LogLevel.Error, Message = "Stripe webhook rejected: {Code}; a signature made just now matched none of the configured secrets: if Stripe sent it, the endpoint's signing secret is not configured here (rolled, or another endpoint's or mode's) or the body was changed on the way, and every event is refused until that is fixed; nothing stored")]
    private partial void LogSignedWithAnotherSecret(string code);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stripe event {EventId} ({EventType}) could not be stored or queued; answered 503 so Stripe retries")]
    private partial void LogNotKeptThroughOutage(Exception exception, string eventId, string eventType);

    [LoggerMessage(Level = LogLevel.Error, Message = "Stripe event {EventId} ({EventType}) could not be stored or queued; answered 503 so Stripe retries, but the failure is no outage that a retry mends")]
    private partial void LogNotKept(Exception exception, string eventId, string eventType);
}

public enum WebhookReceiptStatus
{
    /// <summary>Stored and queued (or already kept): answer 200.</summary>
    Kept,

    /// <summary>Not from Stripe with our secret, or not an event: answer 400; nothing was kept.</summary>
    Rejected,

    /// <summary>The store or the queue failed: answer 503 so Stripe retries.</summary>
    Unavailable,
}

/// <summary>What became of a webhook request; <see cref="Code"/> and <see cref="Detail"/> explain a refusal.</summary>
public sealed record WebhookReceipt(WebhookReceiptStatus Status, bool Duplicate, string? Code, string? Detail);
