using Billing.Cosmos.Documents;
using Billing.Domain.Accounts;
using Billing.Domain.Credits;
using Billing.Domain.Metering;
using Billing.Domain.Plans;
using Billing.Domain.Pricing;
using Billing.Domain.Subscriptions;

namespace Billing.Cosmos.Accounts;

/// <summary>Maps between <see cref="BillingAccount"/> and its document.</summary>
internal static class AccountDocumentMapper
{
    /// <summary>
    /// The document of <paramref name="account"/>; rewriting <paramref name="stored"/>, it keeps the members a newer version
    /// wrote, at the top level and in each nested part that is still the same one (the same subscription, trial, Checkout
    /// Session, add-on grant, duplicate or payment).
    /// </summary>
    public static AccountDocument ToDocument(BillingAccount account, AccountDocument? stored = null) => new()
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
            ? new LocalTrialDocument
            {
                PlanCode = trial.PlanCode.Value, StartedAt = trial.StartedAt, EndsAt = trial.EndsAt,
                ExtensionData = DocumentPart.KeptFrom(stored?.LocalTrial, t => t.StartedAt == trial.StartedAt),
            }
            : null,
        Subscription = account.Subscription is { } s
            ? ToDocument(s, stored?.Subscription?.PeriodEndedEarly) with { ExtensionData = DocumentPart.KeptFrom(stored?.Subscription, d => d.SubscriptionId == s.SubscriptionId) }
            : null,
        RenewsBy = account.RenewsBy,
        CustomerGeneration = account.CustomerGeneration,
        FormerStripeCustomerIds = account.FormerStripeCustomerIds.Count == 0 ? null : account.FormerStripeCustomerIds,
        OpenCheckout = account.OpenCheckout is { } c
            ? new OpenCheckoutDocument
            {
                SessionId = c.SessionId, Url = c.Url, PlanCode = c.PlanCode.Value, Interval = c.Interval, PriceId = c.PriceId, ExpiresAt = c.ExpiresAt, TrialDays = c.TrialDays, SuccessUrl = c.SuccessUrl, CancelUrl = c.CancelUrl,
                ExtensionData = DocumentPart.KeptFrom(stored?.OpenCheckout, d => d.SessionId == c.SessionId),
            }
            : null,
        LastPaidPlan = account.LastPaidPlan?.Value,
        EverPaid = account.EverPaid ? true : null,
        DuplicateSubscriptions = account.DuplicateSubscriptions.Count == 0
            ? null
            : [.. account.DuplicateSubscriptions.Select(d => new DuplicateSubscriptionDocument
            {
                SubscriptionId = d.SubscriptionId,
                KeptSubscriptionId = d.KeptSubscriptionId,
                RefundedMinorUnits = d.Refunded?.MinorUnits,
                RefundedCurrency = d.Refunded?.Currency.ToString(),
                ResolvedAt = d.ResolvedAt,
                ExtensionData = DocumentPart.KeptFrom(stored?.DuplicateSubscriptions, k => k.SubscriptionId == d.SubscriptionId),
            })],
        AddOns = account.AddOns.Count == 0
            ? null
            : [.. account.AddOns.Select(a => new MeterAddOnDocument
            {
                GrantId = a.GrantId,
                Code = a.Code,
                Meter = a.Meter.Value,
                Units = a.Units,
                GrantedAt = a.GrantedAt,
                ExpiresAt = a.ExpiresAt,
                PeriodKey = a.PeriodKey?.Value,
                PaymentIntentId = a.PaymentIntentId,
                RevokedAt = a.RevokedAt,
                ExtensionData = DocumentPart.KeptFrom(stored?.AddOns, k => k.GrantId == a.GrantId),
            })],
        EarlyReversals = account.EarlyReversals.Count == 0
            ? null
            : [.. account.EarlyReversals.Select(r => new EarlyReversalDocument
            {
                PaymentIntentId = r.PaymentIntentId, At = r.At,
                ExtensionData = DocumentPart.KeptFrom(stored?.EarlyReversals, k => k.PaymentIntentId == r.PaymentIntentId),
            })],
        ExtensionData = stored?.PreservedFields(),
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
                CustomerGeneration = document.CustomerGeneration,
                FormerStripeCustomerIds = document.FormerStripeCustomerIds ?? [],
                OpenCheckout = document.OpenCheckout is { } c
                    ? new OpenCheckout { SessionId = c.SessionId, Url = c.Url, PlanCode = PlanCode.Parse(c.PlanCode), Interval = c.Interval, PriceId = c.PriceId, ExpiresAt = c.ExpiresAt, TrialDays = c.TrialDays, SuccessUrl = c.SuccessUrl, CancelUrl = c.CancelUrl }
                    : null,
                LastPaidPlan = document.LastPaidPlan is null ? null : PlanCode.Parse(document.LastPaidPlan),
                EverPaid = document.EverPaid == true || document.LastPaidPlan is not null,
                DuplicateSubscriptions = document.DuplicateSubscriptions is { } duplicates
                    ? [.. duplicates.Select(d => new DuplicateSubscriptionResolution
                    {
                        SubscriptionId = d.SubscriptionId,
                        KeptSubscriptionId = d.KeptSubscriptionId,
                        Refunded = d.RefundedMinorUnits is { } units && d.RefundedCurrency is { } currency ? new Money(units, Currency.Parse(currency)) : null,
                        ResolvedAt = d.ResolvedAt,
                    })]
                    : [],
                AddOns = document.AddOns is { } addOns
                    ? [.. addOns.Select(a => new MeterAddOn
                    {
                        GrantId = a.GrantId,
                        Code = a.Code,
                        Meter = MeterName.Parse(a.Meter),
                        Units = a.Units,
                        GrantedAt = a.GrantedAt,
                        ExpiresAt = a.ExpiresAt,
                        PeriodKey = a.PeriodKey is null ? null : UsagePeriodKey.Parse(a.PeriodKey),
                        PaymentIntentId = a.PaymentIntentId,
                        RevokedAt = a.RevokedAt,
                    })]
                    : [],
                EarlyReversals = document.EarlyReversals is { } reversals ? [.. reversals.Select(r => new EarlyReversal(r.PaymentIntentId, r.At))] : [],
            };
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"Stored account document '{document.Id}' is not valid: {e.Message}", e);
        }
    }

    private static SubscriptionDocument ToDocument(SubscriptionState s, EndedPeriodDocument? storedEnded) => new()
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
        PeriodEndedEarly = s.PeriodEndedEarly is { } ended
            ? new EndedPeriodDocument
            {
                Key = ended.Key.Value, Start = ended.Start, End = ended.End,
                ExtensionData = DocumentPart.KeptFrom(storedEnded, d => d.Key == ended.Key.Value),
            }
            : null,
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
        PeriodEndedEarly = s.PeriodEndedEarly is { } ended ? new UsagePeriod(ended.Start, ended.End, UsagePeriodKey.Parse(ended.Key)) : null,
    };
}
