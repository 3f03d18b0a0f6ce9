using System.ComponentModel;

namespace Billing.FunctionApp.Functions.BillingApi.Contracts;

/// <summary>Body of <c>POST /api/billing/portal</c> (may be empty). Unknown fields are rejected.</summary>
public sealed record PortalRequest
{
    [Description("Where the portal's back link goes; its origin must be on Billing:Redirects:AllowedOrigins. Default: Billing:Portal:ReturnUrl.")]
    public string? ReturnUrl { get; init; }
}
