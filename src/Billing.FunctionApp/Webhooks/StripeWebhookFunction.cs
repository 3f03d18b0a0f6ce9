using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Billing.Application.StripeEvents;
using Billing.Application.StripeEvents.Ingest;
using Billing.Domain.Subscriptions;
using Billing.Stripe.Webhooks;
using Billing.FunctionApp.Http;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace Billing.FunctionApp.Webhooks;

/// <summary>
/// <c>POST /api/stripe/webhook</c> (anonymous: Stripe signs it): verifies the
/// <c>Stripe-Signature</c> over the exact bytes received, stores the event (keyed by its id) and queues a reference,
/// then answers 200. Nothing is stored or queued for a request that fails verification (400) or is too large (413);
/// when the store or the queue is unavailable the answer is 503, so Stripe delivers the event again. No Stripe call.
/// </summary>
public sealed partial class StripeWebhookFunction(
    StripeWebhookVerifier verifier,
    StripeEventIngest ingest,
    IOptions<WebhookIngestOptions> options,
    ILogger<StripeWebhookFunction> logger)
{
    [AllowAnonymous]
    [Function("StripeWebhook")]
    public async Task<IResult> Run([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "stripe/webhook")] HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var limit = options.Value.MaxBodyBytes;
        var body = request.ContentLength > limit ? null : await ReadBodyAsync(request.BodyReader, limit, cancellationToken).ConfigureAwait(false);
        if (body is null)
        {
            LogRejected("payload_too_large");
            return Problem(StatusCodes.Status413PayloadTooLarge, "Payload too large", $"Webhook bodies are limited to {limit} bytes.", "payload_too_large");
        }

        var verification = verifier.Verify(body, request.Headers[StripeSignature.HeaderName]);
        if (!verification.IsValid)
        {
            var code = ReasonCode(verification.Failure);
            LogRejected(code);
            return Problem(StatusCodes.Status400BadRequest, "Invalid Stripe signature", verification.Reason, code);
        }

        if (!StripeEventEnvelope.TryParse(body, out var envelope) || !IsEventId(envelope.Id))
        {
            LogRejected("malformed_event");
            return Problem(StatusCodes.Status400BadRequest, "Malformed Stripe event", "The signed body is not a Stripe event (JSON object with id evt_..., type, created and data).", "malformed_event");
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
        StripeEventIngestOutcome outcome;
        try
        {
            outcome = await ingest.IngestAsync(stripeEvent, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            LogNotKept(exception, envelope.Id, envelope.Type);
            return Problem(StatusCodes.Status503ServiceUnavailable, "Event not stored", "The event could not be stored or queued; it was not acknowledged, so Stripe will deliver it again.", "unavailable");
        }

        return Results.Json(new WebhookAcknowledgement(Received: true, Duplicate: outcome != StripeEventIngestOutcome.Queued));
    }

    /// <summary>The whole body, or null as soon as it exceeds <paramref name="limit"/> bytes.</summary>
    private static async Task<byte[]?> ReadBodyAsync(PipeReader reader, int limit, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (buffer.Length > limit)
            {
                reader.AdvanceTo(buffer.Start, buffer.End);
                return null;
            }

            if (result.IsCompleted)
            {
                var bytes = buffer.ToArray();
                reader.AdvanceTo(buffer.End);
                return bytes;
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private static bool IsEventId(string id) => id.StartsWith("evt_", StringComparison.Ordinal) && StripeIds.IsValid(id);

    private static string ReasonCode(WebhookVerificationFailure failure) => failure switch
    {
        WebhookVerificationFailure.MissingHeader => "missing_signature",
        WebhookVerificationFailure.MalformedHeader => "malformed_signature",
        WebhookVerificationFailure.NoMatchingSignature => "no_matching_signature",
        WebhookVerificationFailure.TimestampOutsideTolerance => "timestamp_outside_tolerance",
        _ => "invalid_signature",
    };

    private static IResult Problem(int status, string title, string detail, string code) => Problems.Of(status, title, detail, code);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stripe webhook rejected: {Reason}; nothing stored")]
    private partial void LogRejected(string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Stripe event {EventId} ({EventType}) could not be stored or queued; answered 503 so Stripe retries")]
    private partial void LogNotKept(Exception exception, string eventId, string eventType);
}
