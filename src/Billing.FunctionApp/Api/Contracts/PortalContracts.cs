using System.ComponentModel;

namespace Billing.FunctionApp.Api.Contracts;

/// <summary>Body of <c>POST /api/billing/portal</c> (may be empty). Unknown fields are rejected.</summary>
public sealed record PortalRequest
{
    [Description("Where the portal's back link goes; its origin must be on Billing:Redirects:AllowedOrigins. Default: Billing:Portal:ReturnUrl.")]
    public string? ReturnUrl { get; init; }
}

/// <summary>A customer portal session: send the browser to <see cref="Url"/> (short-lived, single use).</summary>
public sealed record PortalResponse(Uri Url);
