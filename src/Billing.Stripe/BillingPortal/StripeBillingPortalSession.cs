using System.Text.Json.Serialization;
using Billing.Stripe.Common;

namespace Billing.Stripe.BillingPortal;

/// <summary>A customer portal session (<c>object: "billing_portal.session"</c>): send the customer to <see cref="Url"/>.</summary>
public sealed record StripeBillingPortalSession : IStripeEntity
{
    public required string Id { get; init; }

    [JsonPropertyName("object")]
    public string? ObjectType { get; init; }

    public string? Url { get; init; }

    public string? Customer { get; init; }

    public string? ReturnUrl { get; init; }

    public string? Configuration { get; init; }

    public string? Locale { get; init; }

    public DateTimeOffset? Created { get; init; }

    public bool Livemode { get; init; }
}
