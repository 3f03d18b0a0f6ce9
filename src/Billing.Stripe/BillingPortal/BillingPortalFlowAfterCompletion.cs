namespace Billing.Stripe.BillingPortal;

/// <summary><c>flow_data[after_completion]</c>: type hosted_confirmation, portal_homepage or redirect.</summary>
public sealed record BillingPortalFlowAfterCompletion
{
    public required string Type { get; init; }

    public BillingPortalRedirect? Redirect { get; init; }

    public BillingPortalHostedConfirmation? HostedConfirmation { get; init; }
}
