namespace Billing.Domain.Metering;

/// <summary>
/// One source of an overage meter's included units in a usage period: the plan's (<see cref="PlanId"/>) or an add-on's
/// (its grant id), <see cref="Units"/> of it, and whether it applies now. A meter's allowances are listed in the order
/// their units are used (<see cref="Entitlements.Entitlement.AllowancesOf"/>): the one that stops applying soonest
/// first, so no included unit lapses while one that lasts longer is used.
/// </summary>
public sealed record MeterAllowance(string Id, long Units, AllowanceState State)
{
    /// <summary>The id of the plan's own included units.</summary>
    public const string PlanId = "plan";

    /// <summary>
    /// The key under which <see cref="UsageCounters.Covered"/> keeps what add-ons covered as counters recorded before
    /// each add-on's coverage was kept (<c>recordUsage-v4</c> and older): its <see cref="UsageCounters.Lapsed"/> as it stood.
    /// </summary>
    public const string RecordedBeforeId = "recordedBefore";

    /// <summary>Whether it stopped applying during the period (expired or revoked): what it covered until then stays covered.</summary>
    public bool Ended => State != AllowanceState.InForce;
}

/// <summary>Whether an allowance applies now, or why it stopped applying during the period.</summary>
public enum AllowanceState
{
    InForce,

    /// <summary>Its add-on reached its expiry during the period (and was not revoked).</summary>
    Expired,

    /// <summary>Its add-on was revoked (refunded, or a dispute lost): nothing from then on.</summary>
    Revoked,
}
