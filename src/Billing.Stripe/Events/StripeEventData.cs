using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Billing.Stripe.Checkout;
using Billing.Stripe.Common;
using Billing.Stripe.Customers;
using Billing.Stripe.Invoices;
using Billing.Stripe.Serialization;
using Billing.Stripe.Subscriptions;

namespace Billing.Stripe.Events;

/// <summary><c>event.data</c>: the object as it was when the event happened (raw), with typed accessors.</summary>
public sealed record StripeEventData
{
    /// <summary>The raw <c>data.object</c>.</summary>
    [JsonPropertyName("object")]
    public required JsonElement RawObject { get; init; }

    /// <summary>For *.updated events: the changed fields' previous values.</summary>
    public JsonElement? PreviousAttributes { get; init; }

    /// <summary>The <c>object</c> field of <see cref="RawObject"/> (e.g. "subscription"), or null.</summary>
    [JsonIgnore]
    public string? ObjectType =>
        RawObject.ValueKind == JsonValueKind.Object && RawObject.TryGetProperty("object", out var type) && type.ValueKind == JsonValueKind.String
            ? type.GetString()
            : null;

    /// <summary>Deserializes <see cref="RawObject"/> as a subscription; throws if the object is of another type.</summary>
    public StripeSubscription ToSubscription() => Deserialize(StripeObjectTypes.Subscription, StripeJsonContext.Default.StripeSubscription);

    /// <summary>Deserializes <see cref="RawObject"/> as an invoice; throws if the object is of another type.</summary>
    public StripeInvoice ToInvoice() => Deserialize(StripeObjectTypes.Invoice, StripeJsonContext.Default.StripeInvoice);

    /// <summary>Deserializes <see cref="RawObject"/> as a Checkout Session; throws if the object is of another type.</summary>
    public StripeCheckoutSession ToCheckoutSession() => Deserialize(StripeObjectTypes.CheckoutSession, StripeJsonContext.Default.StripeCheckoutSession);

    /// <summary>Deserializes <see cref="RawObject"/> as a customer; throws if the object is of another type.</summary>
    public StripeCustomer ToCustomer() => Deserialize(StripeObjectTypes.Customer, StripeJsonContext.Default.StripeCustomer);

    private T Deserialize<T>(string expectedType, JsonTypeInfo<T> typeInfo)
    {
        var actual = ObjectType;
        if (!string.Equals(actual, expectedType, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"The event's data.object is a '{actual ?? "(none)"}', not a '{expectedType}'.");
        }

        return RawObject.Deserialize(typeInfo)
               ?? throw new InvalidOperationException($"The event's data.object could not be read as a '{expectedType}'.");
    }
}
