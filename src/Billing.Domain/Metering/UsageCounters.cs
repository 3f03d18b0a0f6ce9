using Billing.Domain.Accounts;

namespace Billing.Domain.Metering;

/// <summary>What an account has used in one usage period, per meter. Meters never used read as zero.</summary>
public sealed record UsageCounters
{
    public required AccountId AccountId { get; init; }

    public required UsagePeriod Period { get; init; }

    public required IReadOnlyDictionary<MeterName, long> Counters { get; init; }

    public long Used(MeterName meter) => Counters.TryGetValue(meter, out var used) ? used : 0;
}
