namespace Billing.Stripe.BillingPortal;

/// <summary><c>after_completion[redirect]</c>.</summary>
public sealed record BillingPortalRedirect
{
    public required string ReturnUrl { get; init; }
}
