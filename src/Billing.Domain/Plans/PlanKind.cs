namespace Billing.Domain.Plans;

/// <summary>What a plan is for.</summary>
public enum PlanKind
{
    /// <summary>Sold through Stripe: has at least one price id.</summary>
    Paid = 0,

    /// <summary>The default plan of every account without a paid subscription or a running trial. Exactly one.</summary>
    Free = 1,

    /// <summary>The plan <c>POST /trial</c> grants for <see cref="Plan.TrialDays"/> days, once per account. At most one.</summary>
    Trial = 2,
}
