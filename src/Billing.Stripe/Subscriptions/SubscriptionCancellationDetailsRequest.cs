namespace Billing.Stripe.Subscriptions;

/// <summary><c>cancellation_details</c> of a cancel: free comment and a feedback value.</summary>
public sealed record SubscriptionCancellationDetailsRequest
{
    public string? Comment { get; init; }

    /// <summary>customer_service, low_quality, missing_features, other, switched_service, too_complex, too_expensive, unused.</summary>
    public string? Feedback { get; init; }
}
