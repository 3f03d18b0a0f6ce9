using Billing.Application.Admin;
using Billing.FunctionApp.Api.Contracts;

namespace Billing.FunctionApp.Admin;

/// <summary>The answer of a re-sync: what was applied, the account's subscription as stored, and the entitlement now.</summary>
public sealed record AccountResyncResponse
{
    public required string AccountId { get; init; }

    public string? CustomerId { get; init; }

    public required IReadOnlyList<ResyncStepView> Steps { get; init; }

    public SubscriptionView? Subscription { get; init; }

    public required EntitlementView Entitlement { get; init; }

    public static AccountResyncResponse From(ResyncedAccount resynced)
    {
        ArgumentNullException.ThrowIfNull(resynced);
        var (result, account, entitlement) = resynced;
        return new AccountResyncResponse
        {
            AccountId = account.Id.Value,
            CustomerId = result.CustomerId,
            Steps = [.. result.Steps.Select(s => new ResyncStepView(s.SubscriptionId, s.Outcome.ToContract()))],
            Subscription = account.Subscription is { } subscription ? AdminViewMapping.ToView(subscription) : null,
            Entitlement = AdminViewMapping.ToView(entitlement),
        };
    }
}

public sealed record ResyncStepView(string SubscriptionId, string Outcome);

public sealed record SubscriptionView
{
    public required string SubscriptionId { get; init; }

    public required string Status { get; init; }

    public string? PlanCode { get; init; }

    public string? PriceId { get; init; }

    public DateTimeOffset? CurrentPeriodStart { get; init; }

    public DateTimeOffset? CurrentPeriodEnd { get; init; }

    public bool CancelAtPeriodEnd { get; init; }

    public DateTimeOffset? CancelAt { get; init; }

    public DateTimeOffset? EndedAt { get; init; }

    public DateTimeOffset? PastDueSince { get; init; }

    public DateTimeOffset StripeStateAsOf { get; init; }
}

public sealed record EntitlementView
{
    public required string PlanCode { get; init; }

    public required string Source { get; init; }

    public required string PeriodKey { get; init; }

    public DateTimeOffset PeriodStart { get; init; }

    public DateTimeOffset PeriodEnd { get; init; }

    public DateTimeOffset? EndsAt { get; init; }
}
