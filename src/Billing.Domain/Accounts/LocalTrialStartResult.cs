namespace Billing.Domain.Accounts;

/// <summary>The account after <see cref="BillingAccount.StartLocalTrial"/> (unchanged unless Started).</summary>
public sealed record LocalTrialStartResult(LocalTrialStartOutcome Outcome, BillingAccount Account)
{
    public bool Changed => Outcome == LocalTrialStartOutcome.Started;
}
