namespace Billing.FunctionApp.Functions.BillingApi.Contracts;

/// <summary>The Stripe subscription as last seen.</summary>
public sealed record SubscriptionDetailsResponse
{
    public required string Status { get; init; }

    /// <summary>The catalog plan of its price; null when the price is not in the catalog.</summary>
    public string? Plan { get; init; }

    public string? Interval { get; init; }

    public DateTimeOffset? CurrentPeriodStart { get; init; }

    public DateTimeOffset? CurrentPeriodEnd { get; init; }

    public required bool CancelAtPeriodEnd { get; init; }

    public DateTimeOffset? CancelAt { get; init; }

    public DateTimeOffset? CanceledAt { get; init; }

    public DateTimeOffset? EndedAt { get; init; }

    public DateTimeOffset? TrialStart { get; init; }

    public DateTimeOffset? TrialEnd { get; init; }
}
