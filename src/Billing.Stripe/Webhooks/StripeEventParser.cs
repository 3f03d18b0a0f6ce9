using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Billing.Stripe.Events;
using Billing.Stripe.Serialization;

namespace Billing.Stripe.Webhooks;

/// <summary>Parses an event envelope (webhook body or Events API object). Verify the signature first.</summary>
public static class StripeEventParser
{
    /// <summary>Parses or throws <see cref="JsonException"/> when the JSON is not an event.</summary>
    public static StripeEvent Parse(ReadOnlySpan<byte> json) =>
        JsonSerializer.Deserialize(json, StripeJsonContext.Default.StripeEvent)
        ?? throw new JsonException("The payload is JSON null, not a Stripe event.");

    public static bool TryParse(ReadOnlySpan<byte> json, [NotNullWhen(true)] out StripeEvent? stripeEvent)
    {
        try
        {
            stripeEvent = JsonSerializer.Deserialize(json, StripeJsonContext.Default.StripeEvent);
            return stripeEvent is not null;
        }
        catch (JsonException)
        {
            stripeEvent = null;
            return false;
        }
    }
}
