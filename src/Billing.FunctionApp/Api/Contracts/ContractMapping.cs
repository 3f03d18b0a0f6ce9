using Billing.Application.Catalog;
using Billing.Application.Checkout;
using Billing.Application.Entitlements;
using Billing.Application.Usage;
using Billing.Application.Payments;
using Billing.Application.Subscriptions;
using Billing.Application.Trials;
using Billing.Domain.Entitlements;
using Billing.Domain.Plans;
using Billing.Domain.Pricing;
using Billing.Domain.Subscriptions;

namespace Billing.FunctionApp.Api.Contracts;

/// <summary>Domain and application values to the API's JSON contracts (stable camelCase strings for enums).</summary>
internal static class ContractMapping
{
    public static PlansResponse ToResponse(this PlanOffers offers, PlanCatalog catalog, PurchaseCatalog purchases) => new(
        [.. offers.Plans.Select(offer => offer.ToResponse(catalog))],
        offers.PricesAvailable,
        [.. purchases.CreditPacks.Select(p => new CreditPackResponse(p.Code.Value, p.DisplayName, p.Price.ToResponse(), p.Credit.ToResponse(), ToSeconds(p.ExpiresAfter)))],
        [.. purchases.AddOns.Select(a => new AddOnResponse(a.Code.Value, a.DisplayName, a.Price.ToResponse(), a.Meter.Value, a.MeterKind.ToContract(), a.Units, ToSeconds(a.ExpiresAfter)))]);

    public static PlanResponse ToResponse(this PlanOffer offer, PlanCatalog catalog)
    {
        var plan = offer.Plan;
        return new PlanResponse
        {
            Code = plan.Code.Value,
            DisplayName = plan.DisplayName,
            Kind = plan.Kind.ToContract(),
            TrialDays = plan.TrialDays,
            Intervals = [.. plan.PriceIds.Keys.Order().Select(i => i.ToStripeValue())],
            Prices = [.. offer.Prices.OrderBy(p => p.Key).Select(p => new PlanPriceResponse(p.Key.ToStripeValue(), p.Value.MinorUnits, p.Value.Currency.Code))],
            Currency = plan.Currency?.Code,
            Meters = [.. catalog.Meters.Concat(catalog.AllocationMeters).Select(meter => plan.PolicyFor(meter).ToResponse(catalog))],
            Features = [.. plan.Features.Select(f => f.Value).Order(StringComparer.Ordinal)],
        };
    }

    public static CheckoutResponse ToResponse(this StartedCheckout checkout) => new()
    {
        SessionId = checkout.SessionId,
        Url = checkout.Url,
        Plan = checkout.Plan.Value,
        Interval = checkout.Interval.ToStripeValue(),
        TrialDays = checkout.TrialDays,
    };

    public static PortalResponse ToResponse(this HostedPortalSession session) => new(session.Url);

    public static TrialResponse ToResponse(this StartedTrial trial) =>
        new() { Plan = trial.Plan.Code.Value, StartedAt = trial.StartedAt, EndsAt = trial.EndsAt };

    public static SubscriptionResponse ToResponse(this SubscriptionSummary summary)
    {
        var entitlement = summary.Entitlement;
        var subscription = summary.Subscription;
        return new SubscriptionResponse
        {
            AccountId = summary.AccountId.Value,
            AsOf = summary.AsOf,
            Plan = entitlement.Plan.ToSummary(),
            Source = entitlement.Source.ToContract(),
            PlanEndsAt = entitlement.EndsAt,
            Status = subscription?.Status.Value,
            CancelAtPeriodEnd = subscription is { CancelAtPeriodEnd: true, IsLive: true },
            Period = new PeriodResponse(entitlement.PeriodStart, entitlement.PeriodEnd),
            Subscription = subscription?.ToResponse(),
            Trial = new TrialStateResponse
            {
                Available = summary.TrialAvailable,
                UsedAt = summary.TrialUsedAt,
                Local = summary.LocalTrial is { } trial
                    ? new LocalTrialResponse(trial.PlanCode.Value, trial.StartedAt, trial.EndsAt, trial.IsRunningAt(summary.AsOf))
                    : null,
            },
            PortalAvailable = summary.HasStripeCustomer,
            Usage = [.. summary.Usage.Select(ToResponse)],
        };
    }

    private static SubscriptionDetailsResponse ToResponse(this SubscriptionState subscription) => new()
    {
        Status = subscription.Status.Value,
        Plan = subscription.PlanCode?.Value,
        Interval = subscription.Interval?.ToStripeValue(),
        CurrentPeriodStart = subscription.CurrentPeriodStart,
        CurrentPeriodEnd = subscription.CurrentPeriodEnd,
        CancelAtPeriodEnd = subscription.CancelAtPeriodEnd,
        CancelAt = subscription.CancelAt,
        CanceledAt = subscription.CanceledAt,
        EndedAt = subscription.EndedAt,
        TrialStart = subscription.TrialStart,
        TrialEnd = subscription.TrialEnd,
    };

    public static UsageReportResponse ToResponse(this UsageReportResult report) => new()
    {
        AccountId = report.AccountId.Value,
        AsOf = report.AsOf,
        Period = report.Requested,
        Periods = [.. report.Periods.Select(ToResponse)],
    };

    public static UsagePeriodResponse ToResponse(this UsagePeriodReport period) => new()
    {
        Start = period.Period.Start,
        End = period.Period.End,
        Plan = period.Plan.ToSummary(),
        Meters = [.. period.Meters.Select(ToResponse)],
        OverageTotal = [.. period.OverageTotal.Select(m => m.ToResponse())],
    };

    public static EntitlementsResponse ToResponse(this EntitlementsView view) => new()
    {
        AccountId = view.AccountId.Value,
        AsOf = view.AsOf,
        Plan = view.Entitlement.Plan.ToSummary(),
        Reason = view.Reason switch
        {
            EntitlementReason.Free => "free",
            EntitlementReason.FreeFallback => "freeFallback",
            EntitlementReason.LocalTrial => "localTrial",
            EntitlementReason.SubscriptionTrial => "subscriptionTrial",
            EntitlementReason.Subscription => "subscription",
            EntitlementReason.GracePeriod => "gracePeriod",
            _ => throw new ArgumentOutOfRangeException(nameof(view), view.Reason, "Unknown entitlement reason."),
        },
        EndsAt = view.Entitlement.EndsAt,
        Period = new PeriodResponse(view.Entitlement.PeriodStart, view.Entitlement.PeriodEnd),
        Meters = [.. view.Meters.Select(m => new MeterEntitlementResponse
        {
            Meter = m.Policy.Meter.Value,
            Kind = m.Kind.ToContract(),
            Limit = m.Policy.Quota,
            Enforcement = m.Policy.Enforcement.ToContract(),
            Held = m.Held,
        })],
        Features = [.. view.Features.Select(f => new FeatureEntitlementResponse(f.Key.Value, f.Value))],
        AddOns = [.. view.Entitlement.AddOns.Select(a => new AddOnEntitlementResponse(a.Code, a.Meter.Value, a.Units, a.GrantedAt, a.ExpiresAt, a.SessionId))],
    };

    private static PlanSummaryResponse ToSummary(this Plan plan) => new(plan.Code.Value, plan.DisplayName, plan.Kind.ToContract());

    private static MeterUsageResponse ToResponse(MeterUsage usage) => new()
    {
        Meter = usage.Meter.Value,
        Used = usage.Used,
        Limit = usage.Quota,
        Enforcement = usage.Enforcement.ToContract(),
        Remaining = usage.Remaining,
        OverageUnits = usage.OverageUnits,
        OverageCharge = usage.OverageCharge is { } charge ? charge.ToResponse() : null,
    };

    private static PlanMeterResponse ToResponse(this MeterPolicy policy, PlanCatalog catalog) => new()
    {
        Meter = policy.Meter.Value,
        Kind = (catalog.KindOf(policy.Meter) ?? MeterKind.Consumption).ToContract(),
        Quota = policy.Quota,
        Enforcement = policy.Enforcement.ToContract(),
        Overage = policy.OveragePrice switch
        {
            PerUnitOveragePrice perUnit => new OveragePriceResponse { Currency = perUnit.Currency.Code, UnitAmount = perUnit.UnitAmount.MinorUnits },
            GraduatedOveragePrice graduated => new OveragePriceResponse
            {
                Currency = graduated.Currency.Code,
                Tiers = [.. graduated.Tiers.Select(t => new PriceTierResponse(t.UpTo, t.UnitAmount.MinorUnits, t.FlatAmount.MinorUnits))],
            },
            _ => null,
        },
    };

    public static MoneyResponse ToResponse(this Money money) => new(money.MinorUnits, money.Currency.Code);

    public static string ToContract(this PlanKind kind) => kind switch
    {
        PlanKind.Free => "free",
        PlanKind.Trial => "trial",
        PlanKind.Paid => "paid",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown plan kind."),
    };

    public static string ToContract(this EntitlementSource source) => source switch
    {
        EntitlementSource.Free => "free",
        EntitlementSource.LocalTrial => "localTrial",
        EntitlementSource.Subscription => "subscription",
        EntitlementSource.GracePeriod => "gracePeriod",
        _ => throw new ArgumentOutOfRangeException(nameof(source), source, "Unknown entitlement source."),
    };

    public static string ToContract(this SubscriptionSyncOutcome outcome) => outcome switch
    {
        SubscriptionSyncOutcome.Applied => "applied",
        SubscriptionSyncOutcome.AlreadyCurrent => "alreadyCurrent",
        SubscriptionSyncOutcome.NewerStateKept => "newerStateKept",
        SubscriptionSyncOutcome.NotFoundInStripe => "notFoundInStripe",
        SubscriptionSyncOutcome.CustomerMismatch => "customerMismatch",
        SubscriptionSyncOutcome.SupersededByCurrent => "supersededByCurrent",
        SubscriptionSyncOutcome.ConflictsWithLiveSubscription => "conflictsWithLiveSubscription",
        SubscriptionSyncOutcome.DuplicateResolved => "duplicateResolved",
        SubscriptionSyncOutcome.EndedNotFoundInStripe => "endedNotFoundInStripe",
        SubscriptionSyncOutcome.CustomerUnknownInStripe => "customerUnknownInStripe",
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "Unknown subscription sync outcome."),
    };

    private static long? ToSeconds(TimeSpan? lifetime) => lifetime is { } value ? (long)value.TotalSeconds : null;

    public static string ToContract(this MeterKind kind) => kind switch
    {
        MeterKind.Consumption => "consumption",
        MeterKind.Allocation => "allocation",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown meter kind."),
    };

    public static string ToContract(this MeterEnforcement enforcement) => enforcement switch
    {
        MeterEnforcement.HardLimit => "hardLimit",
        MeterEnforcement.Overage => "overage",
        _ => throw new ArgumentOutOfRangeException(nameof(enforcement), enforcement, "Unknown meter enforcement."),
    };
}
