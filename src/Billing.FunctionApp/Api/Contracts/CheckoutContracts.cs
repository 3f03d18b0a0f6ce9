using System.ComponentModel.DataAnnotations;
using System.ComponentModel;

namespace Billing.FunctionApp.Api.Contracts;

/// <summary>Body of <c>POST /api/billing/checkout</c>. Unknown fields are rejected; the account is always the caller's.</summary>
public sealed record CheckoutRequest
{
    [Required]
    [Description("A paid plan code from GET /api/billing/plans, e.g. PRO (case-insensitive).")]
    public string? Plan { get; init; }

    [Required]
    [Description("month or year.")]
    public string? Interval { get; init; }

    [Description("Where Stripe sends the customer after paying; its origin must be on Billing:Redirects:AllowedOrigins. May contain {CHECKOUT_SESSION_ID}. Default: Billing:Checkout:SuccessUrl.")]
    public string? SuccessUrl { get; init; }

    [Description("Where Stripe sends the customer who backs out; allow-listed origins only. Default: Billing:Checkout:CancelUrl.")]
    public string? CancelUrl { get; init; }
}

/// <summary>A created Checkout Session: send the browser to <see cref="Url"/>.</summary>
public sealed record CheckoutResponse
{
    public required string SessionId { get; init; }

    public required Uri Url { get; init; }

    public required string Plan { get; init; }

    public required string Interval { get; init; }

    /// <summary>The Stripe trial this Checkout grants; null for none.</summary>
    public int? TrialDays { get; init; }
}
