namespace Billing.Stripe.BillingPortal;

/// <summary><c>after_completion[hosted_confirmation]</c>.</summary>
public sealed record BillingPortalHostedConfirmation
{
    public string? CustomMessage { get; init; }
}
