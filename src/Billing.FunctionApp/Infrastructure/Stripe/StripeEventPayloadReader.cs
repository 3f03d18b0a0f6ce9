using System.Text;
using System.Text.Json;
using Billing.Application.StripeEvents;
using Billing.Stripe.Events;
using Billing.Stripe.Webhooks;

namespace Billing.FunctionApp.Infrastructure.Stripe;

/// <summary>Reads a stored webhook body with the Stripe client's models and keeps only the ids the processor needs.</summary>
public sealed class StripeEventPayloadReader : IStripeEventPayloadReader
{
    public StripeEventPayload Read(string payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        try
        {
            return Map(StripeEventParser.Parse(Encoding.UTF8.GetBytes(payload)));
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException or NotSupportedException)
        {
            throw new MalformedStripeEventException(exception.Message, exception);
        }
    }

    private static StripeEventPayload Map(StripeEvent stripeEvent)
    {
        var payload = new StripeEventPayload { Id = stripeEvent.Id, Type = stripeEvent.Type, Created = stripeEvent.Created };
        var data = stripeEvent.Data;
        switch (data.ObjectType)
        {
            case "subscription":
                var subscription = data.ToSubscription();
                return payload with
                {
                    ObjectType = data.ObjectType,
                    ObjectId = subscription.Id,
                    CustomerId = subscription.Customer?.Id,
                    SubscriptionId = subscription.Id,
                    AccountReference = AccountIdIn(subscription.Metadata),
                };
            case "invoice":
                var invoice = data.ToInvoice();
                return payload with
                {
                    ObjectType = data.ObjectType,
                    ObjectId = invoice.Id,
                    CustomerId = invoice.Customer?.Id,
                    SubscriptionId = invoice.SubscriptionId,
                    AccountReference = AccountIdIn(invoice.Parent?.SubscriptionDetails?.Metadata) ?? AccountIdIn(invoice.Metadata),
                    BillingReason = invoice.BillingReason,
                };
            case "checkout.session":
                var session = data.ToCheckoutSession();
                return payload with
                {
                    ObjectType = data.ObjectType,
                    ObjectId = session.Id,
                    CustomerId = session.Customer?.Id,
                    SubscriptionId = session.Subscription?.Id,
                    AccountReference = NullIfBlank(session.ClientReferenceId) ?? AccountIdIn(session.Metadata),
                    CheckoutMode = session.Mode,
                    PaymentStatus = session.PaymentStatus,
                    PaymentIntentId = session.PaymentIntent?.Id,
                    AmountTotal = session.AmountTotal,
                    Currency = session.Currency,
                };
            case "customer":
                var customer = data.ToCustomer();
                return payload with
                {
                    ObjectType = data.ObjectType,
                    ObjectId = customer.Id,
                    CustomerId = customer.Id,
                    AccountReference = AccountIdIn(customer.Metadata),
                };
            default:
                return payload with
                {
                    ObjectType = data.ObjectType,
                    ObjectId = data.RawObject.ValueKind == JsonValueKind.Object && data.RawObject.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null,
                };
        }
    }

    private static string? AccountIdIn(IReadOnlyDictionary<string, string>? metadata) =>
        metadata is not null && metadata.TryGetValue(StripeMetadataKeys.AccountId, out var value) ? NullIfBlank(value) : null;

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
