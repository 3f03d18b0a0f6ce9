using Billing.Domain.Accounts;

namespace Billing.Application.Subscriptions;

/// <summary>What a re-sync found and did; <see cref="Account"/> is the account as stored afterwards.</summary>
public sealed record AccountResyncResult(
    AccountResyncOutcome Outcome,
    BillingAccount? Account,
    string? CustomerId,
    IReadOnlyList<SubscriptionResyncStep> Steps);
