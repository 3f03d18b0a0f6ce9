using Billing.Application.Credits;
using Billing.Application.StripeEvents;
using Newtonsoft.Json.Linq;
using Stripe;
using Stripe.Checkout;

namespace Billing.Infrastructure.StripeApi;

/// <summary>
/// Reads a stored webhook body with Stripe.net's typed objects and keeps only the ids the processor needs.
/// <para>
/// API versions: a stored event carries the <c>api_version</c> of the webhook endpoint that rendered it, which may
/// differ from Stripe.net's own (<c>2026-10-28.endive</c>), e.g. events stored before an upgrade or sent by an endpoint
/// still on an older version. They are parsed anyway (<c>throwOnApiVersionMismatch: false</c>) and never fail on the
/// version: only ids, metadata and a few scalar fields are read here, all stable across versions, and the processor
/// reads the subscription itself from Stripe again rather than trusting the event's copy.
/// </para>
/// </summary>
public sealed class StripeEventPayloadReader : IStripeEventPayloadReader
{
    public StripeEventPayload Read(string payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        Event stripeEvent;
        try
        {
            stripeEvent = EventUtility.ParseEvent(payload, throwOnApiVersionMismatch: false);
        }
        catch (Exception exception) when (IsUnreadable(exception))
        {
            // The reader's message names the position, never the content.
            throw new MalformedStripeEventException($"The payload is not a readable Stripe event ({exception.GetType().Name}).", exception);
        }

        if (string.IsNullOrEmpty(stripeEvent?.Id) || string.IsNullOrEmpty(stripeEvent.Type))
        {
            throw new MalformedStripeEventException("The payload has no event id or type.");
        }

        return Map(stripeEvent);
    }

    private static bool IsUnreadable(Exception exception) => exception
        is Newtonsoft.Json.JsonException
        or System.Text.Json.JsonException
        or StripeException
        or FormatException
        or InvalidCastException
        or OverflowException
        or ArgumentException
        or InvalidOperationException;

    private static StripeEventPayload Map(Event stripeEvent)
    {
        var payload = new StripeEventPayload
        {
            Id = stripeEvent.Id,
            Type = stripeEvent.Type,
            Created = new DateTimeOffset(DateTime.SpecifyKind(stripeEvent.Created, DateTimeKind.Utc)),
        };
        var raw = stripeEvent.Data?.RawObject as JObject;
        var objectType = raw?["object"] is { Type: JTokenType.String } type ? type.ToString() : null;
        switch (stripeEvent.Data?.Object)
        {
            case Subscription subscription:
                return payload with
                {
                    ObjectType = objectType,
                    ObjectId = subscription.Id,
                    CustomerId = subscription.CustomerId,
                    SubscriptionId = subscription.Id,
                    AccountReference = AccountIdIn(subscription.Metadata),
                };
            case Invoice invoice:
                return payload with
                {
                    ObjectType = objectType,
                    ObjectId = invoice.Id,
                    CustomerId = invoice.CustomerId,
                    SubscriptionId = invoice.Parent?.SubscriptionDetails?.SubscriptionId ?? IdIn(raw?["subscription"]),
                    AccountReference = AccountIdIn(invoice.Parent?.SubscriptionDetails?.Metadata) ?? AccountIdIn(invoice.Metadata),
                    BillingReason = invoice.BillingReason,
                    BillingRun = MetadataValue(invoice.Metadata, StripeMetadataKeys.BillingRun),
                };
            case Session session:
                return payload with
                {
                    ObjectType = objectType,
                    ObjectId = session.Id,
                    CustomerId = session.CustomerId,
                    SubscriptionId = session.SubscriptionId,
                    AccountReference = NullIfBlank(session.ClientReferenceId) ?? AccountIdIn(session.Metadata),
                    CheckoutMode = session.Mode,
                    PaymentStatus = session.PaymentStatus,
                    PaymentIntentId = session.PaymentIntentId,
                    AmountTotal = session.AmountTotal,
                    Currency = session.Currency,
                    Purchase = PurchaseTerms.FromMetadata(session.Metadata),
                };
            case Charge charge:
                return payload with
                {
                    ObjectType = objectType,
                    ObjectId = charge.Id,
                    CustomerId = NullIfBlank(charge.CustomerId),
                    ChargeId = charge.Id,
                    PaymentIntentId = NullIfBlank(charge.PaymentIntentId),
                    AmountTotal = charge.Amount,
                    Currency = charge.Currency,
                    ObjectStatus = charge.Status,
                };
            case Dispute dispute:
                return payload with
                {
                    ObjectType = objectType,
                    ObjectId = dispute.Id,
                    ChargeId = NullIfBlank(dispute.ChargeId),
                    PaymentIntentId = NullIfBlank(dispute.PaymentIntentId),
                    AmountTotal = dispute.Amount,
                    Currency = dispute.Currency,
                    ObjectStatus = dispute.Status,
                };
            case Refund refund:
                return payload with
                {
                    ObjectType = objectType,
                    ObjectId = refund.Id,
                    ChargeId = NullIfBlank(refund.ChargeId),
                    PaymentIntentId = NullIfBlank(refund.PaymentIntentId),
                    AmountTotal = refund.Amount,
                    Currency = refund.Currency,
                    ObjectStatus = refund.Status,
                };
            case Customer customer:
                return payload with
                {
                    ObjectType = objectType,
                    ObjectId = customer.Id,
                    CustomerId = customer.Id,
                    AccountReference = AccountIdIn(customer.Metadata),
                };
            default:
                return payload with
                {
                    ObjectType = objectType,
                    ObjectId = raw?["id"] is { Type: JTokenType.String } id ? id.ToString() : null,
                };
        }
    }

    /// <summary>
    /// An id field as API versions before 2025-03-31.basil render it on an invoice (<c>subscription</c>: the id, or the
    /// expanded object), which Stripe.net's current <see cref="Invoice"/> no longer has.
    /// </summary>
    private static string? IdIn(JToken? field) => field switch
    {
        { Type: JTokenType.String } id => NullIfBlank(id.ToString()),
        JObject { } expanded when expanded["id"] is { Type: JTokenType.String } id => NullIfBlank(id.ToString()),
        _ => null,
    };

    private static string? AccountIdIn(Dictionary<string, string>? metadata) => MetadataValue(metadata, StripeMetadataKeys.AccountId);

    private static string? MetadataValue(Dictionary<string, string>? metadata, string key) =>
        metadata is not null && metadata.TryGetValue(key, out var value) ? NullIfBlank(value) : null;

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
