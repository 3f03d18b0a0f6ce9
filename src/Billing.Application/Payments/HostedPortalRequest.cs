namespace Billing.Application.Payments;

/// <summary>A customer portal session for the account's customer, returning to <see cref="ReturnUrl"/>.</summary>
public sealed record HostedPortalRequest
{
    public required string CustomerId { get; init; }

    public required string ReturnUrl { get; init; }
}
