using Billing.Stripe.Errors;

namespace Billing.Stripe.Serialization;

/// <summary>The body of a Stripe error response: <c>{"error": {...}}</c>.</summary>
internal sealed record StripeErrorEnvelope
{
    public StripeError? Error { get; init; }
}
