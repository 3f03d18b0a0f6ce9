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
