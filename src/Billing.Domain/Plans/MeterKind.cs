namespace Billing.Domain.Plans;

/// <summary>How a meter's units behave over time.</summary>
public enum MeterKind
{
    /// <summary>Units are consumed (agent runs, tokens); the counter starts again at zero every usage period.</summary>
    Consumption = 0,

    /// <summary>Units are held and released (projects, seats); the count is never reset, so the quota caps what is held at once.</summary>
    Allocation = 1,
}
