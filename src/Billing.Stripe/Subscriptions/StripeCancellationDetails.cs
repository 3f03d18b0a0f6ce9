namespace Billing.Stripe.Subscriptions;

/// <summary>Why a subscription was canceled.</summary>
public sealed record StripeCancellationDetails
{
    public string? Comment { get; init; }

    public string? Feedback { get; init; }

    /// <summary>cancellation_requested, payment_disputed or payment_failed.</summary>
    public string? Reason { get; init; }
}
