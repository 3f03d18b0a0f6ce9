using Billing.Domain.Accounts;
using Billing.Domain.Plans;

namespace Billing.Domain.Metering;

/// <summary>
/// What an account has used in one usage period, per meter, and what invoicing needs to price it: the plan in
/// effect when usage was last counted and, per meter, the units that plan included. Meters never used read as zero.
/// </summary>
public sealed record UsageCounters
{
    public required AccountId AccountId { get; init; }

    public required UsagePeriod Period { get; init; }

    public required IReadOnlyDictionary<MeterName, long> Counters { get; init; }

    /// <summary>The plan whose limits applied to the last counted unit; null for periods counted before this was kept.</summary>
    public PlanCode? Plan { get; init; }

    /// <summary>Units included per meter by <see cref="Plan"/> (overage meters only): usage beyond is billed.</summary>
    public IReadOnlyDictionary<MeterName, long> Included { get; init; } = new Dictionary<MeterName, long>();

    public long Used(MeterName meter) => Counters.TryGetValue(meter, out var used) ? used : 0;

    /// <summary>Units beyond the included quantity; zero for meters that are not billed as overage.</summary>
    public long Overage(MeterName meter) =>
        Included.TryGetValue(meter, out var included) ? Math.Max(0, Used(meter) - included) : 0;
}
