using Billing.Domain.Accounts;
using Billing.Domain.Entitlements;
using Billing.Domain.Plans;

namespace Billing.Application.Admin;

/// <summary>
/// What the operators' account listing filters and pages on, kept per account by <see cref="IAccountDirectory"/> and
/// rewritten after every committed account write (<see cref="AccountDirectoryIndexer"/>). <see cref="Plan"/> and
/// <see cref="Status"/> are as of that write: a change that only time makes (a trial running out) shows after the next
/// write, or when an operator's read finds it and records the summary again.
/// </summary>
public sealed record AccountSummary
{
    /// <summary>Status of an account with neither a subscription nor a local trial.</summary>
    public const string NoSubscription = "none";

    /// <summary>Status of an account on an app-side (local) trial and without a subscription.</summary>
    public const string LocalTrial = "trial";

    public required AccountId AccountId { get; init; }

    /// <summary>The plan in force when the summary was made.</summary>
    public required PlanCode Plan { get; init; }

    /// <summary>The subscription's status as Stripe sent it, else <see cref="LocalTrial"/> or <see cref="NoSubscription"/>.</summary>
    public required string Status { get; init; }

    public string? StripeCustomerId { get; init; }

    /// <summary>The account's <see cref="BillingAccount.Version"/> summarized: an older summary never replaces a newer one.</summary>
    public required long AccountVersion { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>The summary of <paramref name="account"/> with the entitlement it has at the moment of the write.</summary>
    public static AccountSummary Of(BillingAccount account, Entitlement entitlement)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(entitlement);
        return new AccountSummary
        {
            AccountId = account.Id,
            Plan = entitlement.Plan.Code,
            Status = account.Subscription?.Status.Value ?? (account.LocalTrial is null ? NoSubscription : LocalTrial),
            StripeCustomerId = account.StripeCustomerId,
            AccountVersion = account.Version,
            CreatedAt = account.CreatedAt,
            UpdatedAt = account.UpdatedAt,
        };
    }

    /// <summary>True when this summary no longer describes <paramref name="current"/> (a later write, or time moved the plan).</summary>
    public bool IsBehind(AccountSummary current)
    {
        ArgumentNullException.ThrowIfNull(current);
        return current.AccountVersion > AccountVersion || current.Plan != Plan || !string.Equals(current.Status, Status, StringComparison.Ordinal);
    }
}
