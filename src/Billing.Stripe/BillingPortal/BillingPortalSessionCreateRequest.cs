namespace Billing.Stripe.BillingPortal;

/// <summary><c>POST /v1/billing_portal/sessions</c>.</summary>
public sealed record BillingPortalSessionCreateRequest
{
    public required string Customer { get; init; }

    public string? ReturnUrl { get; init; }

    /// <summary>A portal configuration id (<c>bpc_...</c>); Stripe's default configuration otherwise.</summary>
    public string? Configuration { get; init; }

    public string? Locale { get; init; }

    /// <summary>Deep link into one flow instead of the portal home page.</summary>
    public BillingPortalFlowData? FlowData { get; init; }
}
