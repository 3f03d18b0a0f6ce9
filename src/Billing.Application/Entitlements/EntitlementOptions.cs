namespace Billing.Application.Entitlements;

/// <summary>Policy knobs of the effective entitlement (section <c>Billing:Entitlements</c>).</summary>
public sealed class EntitlementOptions
{
    public const string SectionName = "Billing:Entitlements";

    public static readonly TimeSpan MaxPastDueGracePeriod = TimeSpan.FromDays(60);

    /// <summary>How long a past_due or unpaid subscription keeps its plan's limits (from when it became past due).</summary>
    public TimeSpan PastDueGracePeriod { get; set; } = TimeSpan.FromDays(7);
}
