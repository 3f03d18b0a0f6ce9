namespace Billing.Stripe.Common;

/// <summary>A time span Stripe sends as <c>{start, end}</c> unix seconds (invoice item and line periods).</summary>
public sealed record StripePeriod
{
    public required DateTimeOffset Start { get; init; }

    public required DateTimeOffset End { get; init; }
}
