using Billing.Cosmos.Documents;
using Billing.Domain.Metering;

namespace Billing.Cosmos.Usage;

/// <summary>Counters of one account in one usage period (<c>type</c> = usage), id <c>usage:{accountId}:{periodKey}</c>.</summary>
internal sealed record UsageDocument : StoredDocument
{
    public required string AccountId { get; init; }

    public required string PeriodKey { get; init; }

    public required DateTimeOffset PeriodStart { get; init; }

    public required DateTimeOffset PeriodEnd { get; init; }

    /// <summary>
    /// The account version whose state set <see cref="PeriodEnd"/> (a move's <c>PeriodEndMove.AccountVersion</c>, never
    /// lowered); absent while the end is the first count's estimate, and on documents written before it was kept.
    /// </summary>
    public long? PeriodEndAccountVersion { get; init; }

    /// <summary>Meter name -> units used; changed only by the <c>record-usage.js</c> procedure.</summary>
    public required Dictionary<string, long> Counters { get; init; }

    /// <summary>The plan whose limits applied to the last counted unit (set with every count).</summary>
    public string? Plan { get; init; }

    /// <summary>The Stripe subscription whose period this is, written with the first count (subscription periods; absent before).</summary>
    public string? SubscriptionId { get; init; }

    /// <summary>
    /// Overage meter name -> units <see cref="Plan"/> includes (set with every count of that meter): the plan's and the
    /// add-ons' in force, plus what add-ons that stopped applying covered (<see cref="Lapsed"/>).
    /// </summary>
    public Dictionary<string, long> Included { get; init; } = [];

    /// <summary>Overage meter name -> the units of <see cref="Included"/> add-ons that stopped applying covered (the sum of <see cref="Covered"/>); absent before schema 3.</summary>
    public Dictionary<string, long>? Lapsed { get; init; }

    /// <summary>Overage meter name -> the units of add-ons expired in the period (not revoked) when <see cref="Included"/> was recorded; absent before schema 3.</summary>
    public Dictionary<string, long>? Expired { get; init; }

    /// <summary>
    /// Overage meter name -> add-on grant id -> the units that add-on covered while it applied, for the add-ons that
    /// stopped applying during the stretch (<c>recordedBefore</c>: what older counters kept as lapsed); absent before schema 4.
    /// </summary>
    public Dictionary<string, Dictionary<string, long>>? Covered { get; init; }

    /// <summary>Meter name -> the count when <see cref="Plan"/> took over; absent while one plan applied all period.</summary>
    public Dictionary<string, long>? Since { get; init; }

    /// <summary>The plans before <see cref="Plan"/> in this period, oldest first; absent while one plan applied all period.</summary>
    public List<PlanStretchDocument>? Earlier { get; init; }

    /// <summary><c>{meter}_{percent}</c> -> when that threshold's notification was queued.</summary>
    public Dictionary<string, DateTimeOffset> Notified { get; init; } = [];

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>
/// A plan that applied to part of a usage period: the counts when it took over and when it was replaced, and what it
/// included. A stretch is never changed once closed, so what a newer version wrote in it is kept as it is.
/// </summary>
internal sealed record PlanStretchDocument : DocumentPart
{
    public string? Plan { get; init; }

    public Dictionary<string, long>? From { get; init; }

    public Dictionary<string, long>? To { get; init; }

    public Dictionary<string, long>? Included { get; init; }
}

/// <summary>
/// A claimed idempotency key (<c>type</c> = usageKey), id <c>usage-key:{accountId}:{sha256(key)}</c>: its create is
/// the atomic "first one wins" between racing duplicates; <see cref="Counted"/> is patched in once the usage is
/// counted. Expires through <see cref="Ttl"/>.
/// </summary>
internal sealed record UsageKeyDocument : StoredDocument
{
    public required string AccountId { get; init; }

    public required string IdempotencyKey { get; init; }

    public required string Meter { get; init; }

    public required long Quantity { get; init; }

    public required string PeriodKey { get; init; }

    public required DateTimeOffset PeriodStart { get; init; }

    public required DateTimeOffset PeriodEnd { get; init; }

    public required DateTimeOffset OccurredAt { get; init; }

    public required DateTimeOffset RecordedAt { get; init; }

    /// <summary>Seconds until Cosmos DB deletes the key (the container has time to live on, without a default).</summary>
    public required int Ttl { get; init; }

    /// <summary>The first call's answer, set once its usage is counted; absent while it is counting.</summary>
    public CountedAnswer? Counted { get; init; }

    internal sealed record CountedAnswer(long Used, long? Limit, long? Remaining, long Overage);
}

/// <summary>
/// An entry of the closing-day index (<c>type</c> = usagePeriod): partition <c>/usage-periods/{yyyy-MM-dd}/{bucket}</c> (the UTC
/// day the period ends), written once when the period's first usage is counted.
/// </summary>
internal sealed record UsagePeriodDocument : StoredDocument
{
    /// <summary>The partition key: the index partition, not an account.</summary>
    public required string AccountId { get; init; }

    public required string BillingAccountId { get; init; }

    public required string PeriodKey { get; init; }

    public required DateTimeOffset PeriodStart { get; init; }

    public required DateTimeOffset PeriodEnd { get; init; }

    /// <summary>Set once the period is invoiced (or found to have nothing to invoice): the timer stops listing it.</summary>
    public DateTimeOffset? InvoicedAt { get; init; }
}

/// <summary>The one argument of the <c>record-usage.js</c> stored procedure (see the procedure for each field).</summary>
internal sealed record RecordUsageInput(
    string AccountDocumentId,
    long? AccountVersion,
    UsageKeyDocument Key,
    string CountersId,
    UsageDocument? NewCounters,
    long? Limit,
    long? Included,
    IReadOnlyList<AllowanceInput>? Allowances,
    string Plan,
    DateTimeOffset Now);

/// <summary>One of the meter's allowances as the <c>record-usage.js</c> stored procedure takes them, in the order they are used: state <c>inForce</c>, <c>expired</c> or <c>revoked</c>.</summary>
internal sealed record AllowanceInput(string Id, long Units, string State)
{
    public static AllowanceInput Of(MeterAllowance allowance) => new(
        allowance.Id,
        allowance.Units,
        allowance.State switch
        {
            AllowanceState.InForce => "inForce",
            AllowanceState.Expired => "expired",
            _ => "revoked",
        });
}

/// <summary>What the <c>record-usage.js</c> stored procedure answers.</summary>
internal sealed record RecordUsageOutput
{
    public required RecordUsageStatus Status { get; init; }

    /// <summary>The counter after the record (counted) or as it stands (refused).</summary>
    public long Used { get; init; }

    /// <summary>The counters document's threshold marks (counted, refused).</summary>
    public Dictionary<string, DateTimeOffset>? Notified { get; init; }

    /// <summary>The key with its answer (counted) or the key that holds it (duplicate).</summary>
    public UsageKeyDocument? Key { get; init; }
}

internal enum RecordUsageStatus
{
    Counted,
    Refused,
    Duplicate,
    StaleAccount,
    NoCounters,
    CounterFull,
}
