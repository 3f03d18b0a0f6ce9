namespace Billing.Domain.Entitlements;

/// <summary>Why a plan's limits apply.</summary>
public enum EntitlementSource
{
    /// <summary>Nothing else applies: the free plan.</summary>
    Free = 0,

    /// <summary>An app-side trial is running.</summary>
    LocalTrial = 1,

    /// <summary>A subscription in good standing (active or trialing, or cancelling at a later time).</summary>
    Subscription = 2,

    /// <summary>A past_due or unpaid subscription still inside the grace period.</summary>
    GracePeriod = 3,
}
