using Billing.Cosmos.Documents;

namespace Billing.Cosmos.Accounts;

/// <summary>A usage period a subscription state ended early, with its real end (<c>SubscriptionState.PeriodEndedEarly</c>).</summary>
internal sealed record EndedPeriodDocument : DocumentPart
{
    public required string Key { get; init; }

    public required DateTimeOffset Start { get; init; }

    public required DateTimeOffset End { get; init; }
}
