namespace Billing.Stripe.Subscriptions;

/// <summary><c>DELETE /v1/subscriptions/{id}</c>: cancel now (for cancel at period end, update
/// <see cref="SubscriptionUpdateRequest.CancelAtPeriodEnd"/> instead).</summary>
public sealed record SubscriptionCancelRequest
{
    /// <summary>Invoice un-invoiced metered usage and pending prorations now.</summary>
    public bool? InvoiceNow { get; init; }

    /// <summary>Credit the unused time of the current period.</summary>
    public bool? Prorate { get; init; }

    public SubscriptionCancellationDetailsRequest? CancellationDetails { get; init; }
}

/// <summary><c>cancellation_details</c> of a cancel: free comment and a feedback value.</summary>
public sealed record SubscriptionCancellationDetailsRequest
{
    public string? Comment { get; init; }

    /// <summary>customer_service, low_quality, missing_features, other, switched_service, too_complex, too_expensive, unused.</summary>
    public string? Feedback { get; init; }
}
