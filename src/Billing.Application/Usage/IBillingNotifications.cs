namespace Billing.Application.Usage;

/// <summary>Messages for the product (the <c>billing-notifications</c> queue); the format is in docs/notifications.md.</summary>
public interface IBillingNotifications
{
    Task PublishAsync(UsageThresholdReached notification, CancellationToken cancellationToken);
}

/// <summary>
/// An account's usage of a meter reached <see cref="Threshold"/> percent of its limit (hard limit) or of its included
/// units (overage meter) in a period. <see cref="Id"/> is the same for every delivery of one notification, so a
/// consumer can drop duplicates.
/// </summary>
public sealed record UsageThresholdReached
{
    public const string EventType = "usage.threshold_reached";

    public required string Id { get; init; }

    public string Type { get; init; } = EventType;

    public required string AccountId { get; init; }

    public required string Meter { get; init; }

    public required int Threshold { get; init; }

    public required long Used { get; init; }

    /// <summary>The hard limit or included units the threshold is a share of.</summary>
    public required long Limit { get; init; }

    /// <summary>True when usage beyond <see cref="Limit"/> is refused; false when it is billed as overage.</summary>
    public required bool HardLimit { get; init; }

    public required string Plan { get; init; }

    public required string PeriodKey { get; init; }

    public required DateTimeOffset PeriodStart { get; init; }

    public required DateTimeOffset PeriodEnd { get; init; }

    public required DateTimeOffset OccurredAt { get; init; }
}
