using Billing.Application.Admin;
using Billing.Application.Invoicing;
using Billing.Domain.Entitlements;
using Billing.Domain.Subscriptions;
using Billing.FunctionApp.Api.Contracts;

namespace Billing.FunctionApp.Admin;

/// <summary>A page of <c>GET /api/billing/admin/accounts</c>; <see cref="NextCursor"/> is null on the last page.</summary>
public sealed record AdminAccountsResponse(IReadOnlyList<AdminAccountRowResponse> Accounts, string? NextCursor, DateTimeOffset AsOf)
{
    internal static AdminAccountsResponse From(AdminAccountPage page) =>
        new([.. page.Accounts.Select(AdminAccountRowResponse.From)], page.NextCursor, page.AsOf);
}

/// <summary>One account: plan and status (as indexed), the entitlement and the current period's usage against limits now, the credit balance.</summary>
public sealed record AdminAccountRowResponse
{
    public required string AccountId { get; init; }

    public required string Plan { get; init; }

    /// <summary>The subscription's Stripe status, <c>trial</c> (a local trial) or <c>none</c>.</summary>
    public required string Status { get; init; }

    public string? StripeCustomerId { get; init; }

    public required EntitlementView Entitlement { get; init; }

    public required UsagePeriodResponse Usage { get; init; }

    public required AdminCreditsResponse Credits { get; init; }

    internal static AdminAccountRowResponse From(AdminAccountRow row) => new()
    {
        AccountId = row.Summary.AccountId.Value,
        Plan = row.Summary.Plan.Value,
        Status = row.Summary.Status,
        StripeCustomerId = row.Summary.StripeCustomerId,
        Entitlement = AdminViewMapping.ToView(row.Entitlement),
        Usage = row.Usage.ToResponse(),
        Credits = AdminCreditsResponse.From(row.Credits),
    };
}

/// <summary>
/// The credit ledger's part of an admin answer: the balance per currency and the latest entries (none in the listing),
/// or <see cref="Available"/> false with <see cref="Reason"/> when the ledger stayed contended (the rest is answered).
/// </summary>
public sealed record AdminCreditsResponse
{
    public required bool Available { get; init; }

    public string? Reason { get; init; }

    public required IReadOnlyList<MoneyResponse> Balance { get; init; }

    public required IReadOnlyList<AdminCreditEntryResponse> Entries { get; init; }

    internal static AdminCreditsResponse From(AdminCredits view) => new()
    {
        Available = view.Available,
        Reason = view.Unavailable,
        Balance = [.. (view.Credits?.Balance ?? []).Select(m => m.ToResponse())],
        Entries = [.. (view.Credits?.Entries ?? []).Select(e => new AdminCreditEntryResponse(e.Kind, e.Amount.MinorUnits, e.Amount.Currency.Code, e.At, e.ExpiresAt, e.Reason, e.Actor))],
    };
}

/// <summary>One credit ledger entry: kind, signed amount in minor units, when, and for adjustments the reason and operator.</summary>
public sealed record AdminCreditEntryResponse(string Kind, long Amount, string Currency, DateTimeOffset At, DateTimeOffset? ExpiresAt, string? Reason, string? Actor);

/// <summary><c>GET /api/billing/admin/accounts/{accountId}</c>: everything about one account.</summary>
public sealed record AdminAccountResponse
{
    public required string AccountId { get; init; }

    public required DateTimeOffset AsOf { get; init; }

    public required string Plan { get; init; }

    public required string Status { get; init; }

    public required AdminAccountStateResponse Account { get; init; }

    /// <summary>The subscription as stored (what the last applied Stripe state said).</summary>
    public SubscriptionView? Subscription { get; init; }

    /// <summary>The subscription as Stripe has it now, or why Stripe could not be asked.</summary>
    public required AdminStripeNowResponse Stripe { get; init; }

    public required EntitlementView Entitlement { get; init; }

    public required UsagePeriodResponse CurrentUsage { get; init; }

    /// <summary>The periods with usage of the last six months, newest first.</summary>
    public required IReadOnlyList<UsagePeriodResponse> Usage { get; init; }

    public required IReadOnlyList<InvoiceResponse> Invoices { get; init; }

    public required AdminCreditsResponse Credits { get; init; }

    /// <summary>The latest Stripe events applied or ignored for the account, newest first.</summary>
    public required IReadOnlyList<AdminStripeEventResponse> Events { get; init; }

    internal static AdminAccountResponse From(AdminAccountDetail detail) => new()
    {
        AccountId = detail.Account.Id.Value,
        AsOf = detail.AsOf,
        Plan = detail.Summary.Plan.Value,
        Status = detail.Summary.Status,
        Account = new AdminAccountStateResponse
        {
            CreatedAt = detail.Account.CreatedAt,
            UpdatedAt = detail.Account.UpdatedAt,
            Version = detail.Account.Version,
            StripeCustomerId = detail.Account.StripeCustomerId,
            FormerStripeCustomerIds = detail.Account.FormerStripeCustomerIds,
            TrialUsedAt = detail.Account.TrialUsedAt,
            LocalTrial = detail.Account.LocalTrial is { } trial ? new AdminLocalTrialResponse(trial.PlanCode.Value, trial.StartedAt, trial.EndsAt) : null,
            LastPaidPlan = detail.Account.LastPaidPlan?.Value,
        },
        Subscription = detail.Account.Subscription is { } stored ? AdminViewMapping.ToView(stored) : null,
        Stripe = new AdminStripeNowResponse
        {
            Asked = detail.Stripe.Asked,
            Reachable = detail.Stripe.Reachable,
            Error = detail.Stripe.Error,
            Subscriptions = [.. detail.Stripe.Subscriptions.Select(AdminViewMapping.ToView)],
        },
        Entitlement = AdminViewMapping.ToView(detail.Entitlement),
        CurrentUsage = detail.CurrentUsage.ToResponse(),
        Usage = [.. detail.Usage.Select(p => p.ToResponse())],
        Invoices = [.. detail.Invoices.Select(InvoiceResponse.From)],
        Credits = AdminCreditsResponse.From(detail.Credits),
        Events = [.. detail.Events.Select(e => new AdminStripeEventResponse(e.EventId, e.Type, e.Status, e.Created, e.ReceivedAt, e.CompletedAt, e.Attempts, e.Note))],
    };
}

/// <summary>The stored account's own fields.</summary>
public sealed record AdminAccountStateResponse
{
    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }

    public required long Version { get; init; }

    public string? StripeCustomerId { get; init; }

    public required IReadOnlyList<string> FormerStripeCustomerIds { get; init; }

    public DateTimeOffset? TrialUsedAt { get; init; }

    public AdminLocalTrialResponse? LocalTrial { get; init; }

    public string? LastPaidPlan { get; init; }
}

public sealed record AdminLocalTrialResponse(string Plan, DateTimeOffset StartedAt, DateTimeOffset EndsAt);

/// <summary>What Stripe says now: <see cref="Reachable"/> false with <see cref="Error"/> when it could not be asked; <see cref="Asked"/> false when there was nothing to ask about.</summary>
public sealed record AdminStripeNowResponse
{
    public required bool Asked { get; init; }

    public required bool Reachable { get; init; }

    public string? Error { get; init; }

    public required IReadOnlyList<AdminStripeSubscriptionResponse> Subscriptions { get; init; }
}

/// <summary>A subscription as Stripe has it, read at <see cref="AsOf"/>.</summary>
public sealed record AdminStripeSubscriptionResponse
{
    public required string SubscriptionId { get; init; }

    public required string CustomerId { get; init; }

    public required string Status { get; init; }

    public string? PriceId { get; init; }

    public DateTimeOffset? CurrentPeriodStart { get; init; }

    public DateTimeOffset? CurrentPeriodEnd { get; init; }

    public bool CancelAtPeriodEnd { get; init; }

    public DateTimeOffset? CancelAt { get; init; }

    public DateTimeOffset? EndedAt { get; init; }

    public DateTimeOffset? TrialEnd { get; init; }

    public required DateTimeOffset AsOf { get; init; }
}

/// <summary>A Stripe event of the account and its outcome.</summary>
public sealed record AdminStripeEventResponse(string EventId, string Type, string Status, DateTimeOffset Created, DateTimeOffset ReceivedAt, DateTimeOffset? CompletedAt, int Attempts, string? Note);

/// <summary>A page of <c>GET /api/billing/admin/invoices</c>, newest period first; <see cref="NextCursor"/> is null on the last page.</summary>
public sealed record AdminInvoicesResponse(IReadOnlyList<AdminInvoiceResponse> Invoices, string? NextCursor)
{
    internal static AdminInvoicesResponse From(AdminInvoicePage page) =>
        new([.. page.Invoices.Select(r => new AdminInvoiceResponse(r.AccountId.Value, r.PeriodKey.Value, InvoiceResponse.From(r)))], page.NextCursor);
}

/// <summary>One account's usage invoice for a period.</summary>
public sealed record AdminInvoiceResponse(string AccountId, string PeriodKey, InvoiceResponse Invoice);

internal static class AdminViewMapping
{
    public static EntitlementView ToView(Entitlement entitlement) => new()
    {
        PlanCode = entitlement.Plan.Code.Value,
        Source = entitlement.Source.ToContract(),
        PeriodKey = entitlement.PeriodKey.Value,
        PeriodStart = entitlement.PeriodStart,
        PeriodEnd = entitlement.PeriodEnd,
        EndsAt = entitlement.EndsAt,
    };

    public static SubscriptionView ToView(SubscriptionState subscription) => new()
    {
        SubscriptionId = subscription.SubscriptionId,
        Status = subscription.Status.Value,
        PlanCode = subscription.PlanCode?.Value,
        PriceId = subscription.PriceId,
        CurrentPeriodStart = subscription.CurrentPeriodStart,
        CurrentPeriodEnd = subscription.CurrentPeriodEnd,
        CancelAtPeriodEnd = subscription.CancelAtPeriodEnd,
        CancelAt = subscription.CancelAt,
        EndedAt = subscription.EndedAt,
        PastDueSince = subscription.PastDueSince,
        StripeStateAsOf = subscription.StripeStateAsOf,
    };

    public static AdminStripeSubscriptionResponse ToView(SubscriptionSnapshot snapshot) => new()
    {
        SubscriptionId = snapshot.SubscriptionId,
        CustomerId = snapshot.CustomerId,
        Status = snapshot.Status.Value,
        PriceId = snapshot.PriceId,
        CurrentPeriodStart = snapshot.CurrentPeriodStart,
        CurrentPeriodEnd = snapshot.CurrentPeriodEnd,
        CancelAtPeriodEnd = snapshot.CancelAtPeriodEnd,
        CancelAt = snapshot.CancelAt,
        EndedAt = snapshot.EndedAt,
        TrialEnd = snapshot.TrialEnd,
        AsOf = snapshot.AsOf,
    };
}
