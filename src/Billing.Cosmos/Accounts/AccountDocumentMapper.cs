using System.Text.Json;
using Billing.Cosmos.Documents;
using Billing.Domain.Accounts;
using Billing.Domain.Plans;
using Billing.Domain.Subscriptions;

namespace Billing.Cosmos.Accounts;

/// <summary>Maps between <see cref="BillingAccount"/> and its document.</summary>
internal static class AccountDocumentMapper
{
    public static AccountDocument ToDocument(BillingAccount account, Dictionary<string, JsonElement>? preservedFields = null) => new()
    {
        Id = DocumentIds.Account(account.Id),
        Type = DocumentTypes.Account,
        SchemaVersion = DocumentTypes.AccountSchemaVersion,
        AccountId = account.Id.Value,
        Version = account.Version,
        CreatedAt = account.CreatedAt,
        UpdatedAt = account.UpdatedAt,
        StripeCustomerId = account.StripeCustomerId,
        TrialUsedAt = account.TrialUsedAt,
        LocalTrial = account.LocalTrial is { } trial
            ? new LocalTrialDocument { PlanCode = trial.PlanCode.Value, StartedAt = trial.StartedAt, EndsAt = trial.EndsAt }
            : null,
        Subscription = account.Subscription is { } s ? ToDocument(s) : null,
        ExtensionData = preservedFields,
    };

    public static BillingAccount ToDomain(AccountDocument document)
    {
        try
        {
            return new BillingAccount
            {
                Id = AccountId.Parse(document.AccountId),
                Version = document.Version,
                CreatedAt = document.CreatedAt,
                UpdatedAt = document.UpdatedAt,
                StripeCustomerId = document.StripeCustomerId,
                TrialUsedAt = document.TrialUsedAt,
                LocalTrial = document.LocalTrial is { } trial
                    ? new LocalTrial { PlanCode = PlanCode.Parse(trial.PlanCode), StartedAt = trial.StartedAt, EndsAt = trial.EndsAt }
                    : null,
                Subscription = document.Subscription is { } s ? ToDomain(s) : null,
            };
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"Stored account document '{document.Id}' is not valid: {e.Message}", e);
        }
    }

    private static SubscriptionDocument ToDocument(SubscriptionState s) => new()
    {
        SubscriptionId = s.SubscriptionId,
        CustomerId = s.CustomerId,
        Status = s.Status.Value,
        PlanCode = s.PlanCode?.Value,
        PriceId = s.PriceId,
        Interval = s.Interval,
        CurrentPeriodStart = s.CurrentPeriodStart,
        CurrentPeriodEnd = s.CurrentPeriodEnd,
        CancelAtPeriodEnd = s.CancelAtPeriodEnd,
        CancelAt = s.CancelAt,
        CanceledAt = s.CanceledAt,
        EndedAt = s.EndedAt,
        TrialStart = s.TrialStart,
        TrialEnd = s.TrialEnd,
        LatestInvoiceId = s.LatestInvoiceId,
        PastDueSince = s.PastDueSince,
        StripeStateAsOf = s.StripeStateAsOf,
    };

    private static SubscriptionState ToDomain(SubscriptionDocument s) => new()
    {
        SubscriptionId = s.SubscriptionId,
        CustomerId = s.CustomerId,
        Status = SubscriptionStatus.From(s.Status),
        PlanCode = s.PlanCode is null ? null : Billing.Domain.Plans.PlanCode.Parse(s.PlanCode),
        PriceId = s.PriceId,
        Interval = s.Interval,
        CurrentPeriodStart = s.CurrentPeriodStart,
        CurrentPeriodEnd = s.CurrentPeriodEnd,
        CancelAtPeriodEnd = s.CancelAtPeriodEnd,
        CancelAt = s.CancelAt,
        CanceledAt = s.CanceledAt,
        EndedAt = s.EndedAt,
        TrialStart = s.TrialStart,
        TrialEnd = s.TrialEnd,
        LatestInvoiceId = s.LatestInvoiceId,
        PastDueSince = s.PastDueSince,
        StripeStateAsOf = s.StripeStateAsOf,
    };
}
