using Billing.Cosmos.Documents;

namespace Billing.Cosmos.Usage;

/// <summary>Counters of one account in one usage period (<c>type</c> = usage), id <c>usage:{accountId}:{periodKey}</c>.</summary>
internal sealed record UsageDocument : StoredDocument
{
    public required string AccountId { get; init; }

    public required string PeriodKey { get; init; }

    public required DateTimeOffset PeriodStart { get; init; }

    public required DateTimeOffset PeriodEnd { get; init; }

    /// <summary>Meter name -> units used; updated only by patch increments.</summary>
    public required Dictionary<string, long> Counters { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }
}
