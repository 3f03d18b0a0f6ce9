using Billing.FunctionApp.Http;
using Billing.Infrastructure.StripeApi.Webhooks;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace Billing.FunctionApp.Webhooks;

/// <summary>
/// <c>POST /api/stripe/webhook</c> (anonymous: Stripe signs it): the raw body, size-limited, goes to
/// <see cref="StripeWebhookReceiver"/> (verify, store, queue); the answer is 200 once the event is kept, 400 for a
/// request that is not an authentic event, 413 for a body over the limit, 503 when the store or queue failed (Stripe
/// delivers again). No Stripe call. Every refusal is logged at Warning, the 413 here (nothing of the body is read or logged).
/// </summary>
public sealed partial class StripeWebhookFunction(StripeWebhookReceiver receiver, IOptions<WebhookIngestOptions> options, ILogger<StripeWebhookFunction> logger)
{
    [AllowAnonymous]
    [Function("StripeWebhook")]
    public async Task<IResult> Run([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "stripe/webhook")] HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var limit = options.Value.MaxBodyBytes;
        if (await LimitedBody.ReadAsync(request, limit, cancellationToken).ConfigureAwait(false) is not { } body)
        {
            LogTooLarge(limit);
            return Problems.Of(StatusCodes.Status413PayloadTooLarge, "Payload too large", $"Webhook bodies are limited to {limit} bytes.", "payload_too_large");
        }

        var receipt = await receiver.ReceiveAsync(body, request.Headers[StripeSignature.HeaderName], cancellationToken).ConfigureAwait(false);
        return receipt.Status switch
        {
            WebhookReceiptStatus.Kept => Results.Ok(new WebhookAcknowledgement(Received: true, receipt.Duplicate)),
            WebhookReceiptStatus.Rejected => Problems.Of(StatusCodes.Status400BadRequest, "Rejected Stripe webhook", receipt.Detail, receipt.Code!),
            _ => Problems.Of(StatusCodes.Status503ServiceUnavailable, "Event not stored", receipt.Detail, receipt.Code!),
        };
    }

    // The receiver's words for its refusals, so one alert on "Stripe webhook rejected" sees them all.
    [LoggerMessage(Level = LogLevel.Warning, Message = "Stripe webhook rejected: payload_too_large (over {Limit} bytes); nothing stored")]
    private partial void LogTooLarge(int limit);
}
