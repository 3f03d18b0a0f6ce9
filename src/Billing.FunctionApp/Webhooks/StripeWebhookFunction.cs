using Billing.Application.StripeEvents.Ingest;
using Billing.FunctionApp.Http;
using Billing.Infrastructure.StripeApi.Webhooks;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace Billing.FunctionApp.Webhooks;

/// <summary>
/// <c>POST /api/stripe/webhook</c> (anonymous: Stripe signs it): verifies the <c>Stripe-Signature</c> over the exact
/// bytes received, stores the event (keyed by its id) and queues a reference, then answers 200. Nothing is stored or
/// queued for a request that fails verification (400) or is too large (413); when the store or the queue is
/// unavailable the answer is 503, so Stripe delivers the event again. No Stripe call.
/// </summary>
public sealed partial class StripeWebhookFunction(
    StripeWebhookReceiver receiver,
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
        var body = await LimitedBody.ReadAsync(request, limit, cancellationToken).ConfigureAwait(false);
        if (body is null)
        {
            LogRejected("payload_too_large");
            return Problems.Of(StatusCodes.Status413PayloadTooLarge, "Payload too large", $"Webhook bodies are limited to {limit} bytes.", "payload_too_large");
        }

        var receipt = receiver.Read(body, request.Headers[StripeSignature.HeaderName]);
        if (receipt.Event is not { } stripeEvent)
        {
            LogRejected(receipt.RejectionCode!);
            return Problems.Of(StatusCodes.Status400BadRequest, "Rejected Stripe webhook", receipt.RejectionDetail, receipt.RejectionCode!);
        }

        try
        {
            var outcome = await ingest.IngestAsync(stripeEvent, cancellationToken).ConfigureAwait(false);
            return Results.Ok(new WebhookAcknowledgement(Received: true, Duplicate: outcome != StripeEventIngestOutcome.Queued));
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            LogNotKept(exception, stripeEvent.Id, stripeEvent.Type);
            return Problems.Of(StatusCodes.Status503ServiceUnavailable, "Event not stored", "The event could not be stored or queued; it was not acknowledged, so Stripe will deliver it again.", "unavailable");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stripe webhook rejected: {Code}; nothing stored")]
    private partial void LogRejected(string code);

    [LoggerMessage(Level = LogLevel.Error, Message = "Stripe event {EventId} ({EventType}) could not be stored or queued; answered 503 so Stripe retries")]
    private partial void LogNotKept(Exception exception, string eventId, string eventType);
}
