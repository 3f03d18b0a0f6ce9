namespace Billing.Application.StripeEvents;

/// <summary>A verified Stripe webhook event as received, to be stored before it is acknowledged.</summary>
public sealed record NewStripeEvent
{
    /// <summary>Stripe's event id (<c>evt_...</c>), the key for duplicate detection.</summary>
    public required string Id { get; init; }

    /// <summary>e.g. <c>customer.subscription.updated</c>.</summary>
    public required string Type { get; init; }

    /// <summary>The event's <c>created</c> time.</summary>
    public required DateTimeOffset Created { get; init; }

    public bool Livemode { get; init; }

    public string? ApiVersion { get; init; }

    /// <summary>The raw JSON body exactly as received (never logged).</summary>
    public required string Payload { get; init; }
}
