
namespace Billing.FunctionApp.Api.Contracts;

/// <summary>
/// The public catalog, in configuration order: the plans (<paramref name="PricesAvailable"/> false when Stripe's prices
/// could not be read), and the credit packs and add-ons on sale (POST /api/billing/credits/checkout, /addons/checkout).
/// </summary>
public sealed record PlansResponse(IReadOnlyList<PlanResponse> Plans, bool PricesAvailable, IReadOnlyList<CreditPackResponse> CreditPacks, IReadOnlyList<AddOnResponse> AddOns);

/// <summary>A credit pack on sale: pay <paramref name="Price"/>, get <paramref name="Credit"/> to spend on usage invoices, for <paramref name="ExpiresAfterSeconds"/> (null: no expiry).</summary>
public sealed record CreditPackResponse(string Code, string DisplayName, MoneyResponse Price, MoneyResponse Credit, long? ExpiresAfterSeconds);

/// <summary>An add-on on sale: pay <paramref name="Price"/>, the limit of <paramref name="Meter"/> rises by <paramref name="Units"/> (a consumption meter's for the period it is bought in, or with an expiry for every period until then), for <paramref name="ExpiresAfterSeconds"/> (null: no expiry).</summary>
public sealed record AddOnResponse(string Code, string DisplayName, MoneyResponse Price, string Meter, string MeterKind, long Units, long? ExpiresAfterSeconds);

/// <summary>One plan of the catalog as a pricing page shows it.</summary>
public sealed record PlanResponse
{
    public required string Code { get; init; }

    public required string DisplayName { get; init; }

    /// <summary>free, trial or paid.</summary>
    public required string Kind { get; init; }

    /// <summary>Paid plans: the Checkout trial (0 = none). The trial plan: the length of POST /trial.</summary>
    public required int TrialDays { get; init; }

    /// <summary>The intervals a paid plan is sold by (month, year); empty for free and trial.</summary>
    public required IReadOnlyList<string> Intervals { get; init; }

    /// <summary>What each interval costs, as Stripe has it (an interval whose price Stripe does not know is absent).</summary>
    public required IReadOnlyList<PlanPriceResponse> Prices { get; init; }

    /// <summary>The plan's currency (lower-case ISO code): that of its overage prices and usage invoices; null when the catalog names none (only a plan without overage may).</summary>
    public string? Currency { get; init; }

    /// <summary>The plan's rule for every catalog meter (consumption meters first, then allocation meters).</summary>
    public required IReadOnlyList<PlanMeterResponse> Meters { get; init; }

    /// <summary>The features the plan switches on.</summary>
    public required IReadOnlyList<string> Features { get; init; }
}

/// <summary>The subscription price of one interval: <paramref name="Amount"/> minor units of <paramref name="Currency"/> per <paramref name="Interval"/>.</summary>
public sealed record PlanPriceResponse(string Interval, long Amount, string Currency);

/// <summary>A plan's quota for one meter.</summary>
public sealed record PlanMeterResponse
{
    public required string Meter { get; init; }

    /// <summary>consumption (counted per period) or allocation (held and released, e.g. projects).</summary>
    public required string Kind { get; init; }

    /// <summary>Units included per period (allocation meters: units that may be held); null = unlimited.</summary>
    public long? Quota { get; init; }

    /// <summary>hardLimit (refused beyond the quota) or overage (billed beyond it).</summary>
    public required string Enforcement { get; init; }

    /// <summary>Set for overage meters.</summary>
    public OveragePriceResponse? Overage { get; init; }
}

/// <summary>The price of units beyond the quota, in integer minor units of <see cref="Currency"/>: per unit, or graduated tiers.</summary>
public sealed record OveragePriceResponse
{
    public required string Currency { get; init; }

    public long? UnitAmount { get; init; }

    public IReadOnlyList<PriceTierResponse>? Tiers { get; init; }
}

/// <summary>A graduated tier: overage units up to <see cref="UpTo"/> (null = no bound) cost <see cref="UnitAmount"/> each plus <see cref="FlatAmount"/> once.</summary>
public sealed record PriceTierResponse(long? UpTo, long UnitAmount, long FlatAmount);

/// <summary>An amount in integer minor units (cents for usd) of a lower-case ISO currency.</summary>
public sealed record MoneyResponse(long Amount, string Currency);
