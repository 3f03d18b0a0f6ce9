namespace Billing.Application.Checkout;

/// <summary>
/// A request for a subscription Checkout, as received (unvalidated): plan code, interval (<c>month</c> or <c>year</c>),
/// and optional redirect URLs that must be on the allow-list. The account is never part of it: it is the caller's.
/// </summary>
public sealed record StartCheckout
{
    public string? Plan { get; init; }

    public string? Interval { get; init; }

    public string? SuccessUrl { get; init; }

    public string? CancelUrl { get; init; }
}
