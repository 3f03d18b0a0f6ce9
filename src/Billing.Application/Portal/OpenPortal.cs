namespace Billing.Application.Portal;

/// <summary>A request to open the customer portal, as received: an optional return URL (allow-listed origins only).</summary>
public sealed record OpenPortal
{
    public string? ReturnUrl { get; init; }
}
