using Billing.Domain.Credits;
using Billing.Domain.Metering;
using Billing.Domain.Plans;
using Billing.Domain.Plans.Configuration;
using Billing.Domain.Pricing;

namespace Billing.Application.Catalog;

/// <summary>A credit pack as sold: the price, and the credit it grants (with an optional lifetime).</summary>
public sealed record CreditPack(PlanCode Code, string DisplayName, string PriceId, Money Price, Money Credit, TimeSpan? ExpiresAfter);

/// <summary>An add-on as sold: the price, and the units it adds to a meter's limit (with an optional lifetime).</summary>
public sealed record AddOn(PlanCode Code, string DisplayName, string PriceId, Money Price, MeterName Meter, MeterKind MeterKind, long Units, TimeSpan? ExpiresAfter);

/// <summary>The credit packs and add-ons of <see cref="PurchaseOptions"/>, by code (codes are unique across both).</summary>
public sealed class PurchaseCatalog
{
    private readonly Dictionary<PlanCode, CreditPack> _packs;
    private readonly Dictionary<PlanCode, AddOn> _addOns;

    private PurchaseCatalog(IEnumerable<CreditPack> packs, IEnumerable<AddOn> addOns)
    {
        _packs = packs.ToDictionary(p => p.Code);
        _addOns = addOns.ToDictionary(a => a.Code);
    }

    public IReadOnlyCollection<CreditPack> CreditPacks => _packs.Values;

    public IReadOnlyCollection<AddOn> AddOns => _addOns.Values;

    public CreditPack? FindPack(string? code) => PlanCode.TryParse(code, out var parsed) ? _packs.GetValueOrDefault(parsed) : null;

    public AddOn? FindAddOn(string? code) => PlanCode.TryParse(code, out var parsed) ? _addOns.GetValueOrDefault(parsed) : null;

    /// <summary>Builds the catalog; the options must have passed <see cref="Validate"/>.</summary>
    public static PurchaseCatalog Create(PurchaseOptions options, PlanCatalogOptions plans)
    {
        var errors = Validate(options, plans);
        if (errors.Count > 0)
        {
            throw new PlanCatalogException(errors);
        }

        return new PurchaseCatalog(
            options.CreditPacks.Select(p => new CreditPack(
                PlanCode.Parse(p.Code), p.DisplayName, p.PriceId, new Money(p.Amount, Currency.Parse(p.Currency)),
                new Money(p.Credit, Currency.Parse(p.CreditCurrency ?? p.Currency)), p.ExpiresAfter)),
            options.AddOns.Select(a => new AddOn(
                PlanCode.Parse(a.Code), a.DisplayName, a.PriceId, new Money(a.Amount, Currency.Parse(a.Currency)), MeterName.Parse(a.Meter),
                plans.AllocationMeters.Contains(a.Meter) ? MeterKind.Allocation : MeterKind.Consumption, a.Units, a.ExpiresAfter)));
    }

    /// <summary>Every problem at once, each naming the setting to fix.</summary>
    public static IReadOnlyList<string> Validate(PurchaseOptions options, PlanCatalogOptions plans)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(plans);
        var errors = new List<string>();
        var codes = new HashSet<string>(StringComparer.Ordinal);
        var prices = new HashSet<string>(StringComparer.Ordinal);
        var catalog = PlanCatalog.TryCreate(plans, out var built, out _) ? built : null; // a plan catalog in error reports itself
        // A Stripe price is recurring (a plan's, sold by subscription-mode Checkout) or one-time (a purchase's, payment
        // mode): Stripe refuses one of the two Checkouts for a price in both, on every request.
        var planPrices = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var plan in plans.Plans)
        {
            foreach (var id in new[] { plan?.Prices.Month, plan?.Prices.Year }.OfType<string>())
            {
                planPrices.TryAdd(id, plan!.Code?.ToUpperInvariant() ?? "?");
            }
        }

        for (var i = 0; i < options.CreditPacks.Count; i++)
        {
            var pack = options.CreditPacks[i];
            var at = $"CreditPacks:{i}";
            CheckItem(pack, at, codes, prices, planPrices, errors);
            if (pack.Credit is <= 0 or > CreditOperation.MaxAmount)
            {
                errors.Add($"{at}:Credit must be a positive amount of minor units, at most {CreditOperation.MaxAmount}; got {pack.Credit}.");
            }

            if (pack.CreditCurrency is not null && !Currency.TryParse(pack.CreditCurrency, out _))
            {
                errors.Add($"{at}:CreditCurrency: {Currency.InvalidMessage(pack.CreditCurrency)}");
            }
            else if (pack.Credit > 0 && Currency.TryParse(pack.CreditCurrency ?? pack.Currency, out var creditCurrency) && !creditCurrency.IsWhole(pack.Credit))
            {
                // Credit is spent on usage invoices: a balance with a fraction Stripe cannot charge could never be spent exactly.
                errors.Add($"{at}:Credit: {creditCurrency.NotWholeMessage(pack.Credit)}");
            }
            else if (Currency.TryParse(pack.CreditCurrency ?? pack.Currency, out var spentIn) && catalog?.WhyCreditUnspendable(spentIn) is { } unspendable)
            {
                errors.Add($"{at}:{(pack.CreditCurrency is null ? "Currency" : "CreditCurrency")}: {unspendable}");
            }
        }

        for (var i = 0; i < options.AddOns.Count; i++)
        {
            var addOn = options.AddOns[i];
            var at = $"AddOns:{i}";
            CheckItem(addOn, at, codes, prices, planPrices, errors);
            if (!plans.Meters.Contains(addOn.Meter) && !plans.AllocationMeters.Contains(addOn.Meter))
            {
                errors.Add($"{at}:Meter '{addOn.Meter}' is not a meter of {PlanCatalogOptions.SectionName} (Meters or AllocationMeters).");
            }

            if (addOn.Units is <= 0 or > UsageCounters.MaxCount)
            {
                errors.Add($"{at}:Units must be from 1 to {UsageCounters.MaxCount} (2^53 - 1, the most a counter holds); got {addOn.Units}.");
            }
        }

        return errors;
    }

    private static void CheckItem(PurchaseItemOptions item, string at, HashSet<string> codes, HashSet<string> prices, Dictionary<string, string> planPrices, List<string> errors)
    {
        if (!PlanCode.TryParse(item.Code, out var code))
        {
            errors.Add($"{at}:Code: {PlanCode.InvalidMessage(item.Code)}");
        }
        else if (!codes.Add(code.Value))
        {
            errors.Add($"{at}:Code '{code.Value}' is used twice (codes are unique across credit packs and add-ons).");
        }

        if (string.IsNullOrWhiteSpace(item.DisplayName))
        {
            errors.Add($"{at}:DisplayName is required.");
        }

        if (!item.PriceId.StartsWith("price_", StringComparison.Ordinal))
        {
            errors.Add($"{at}:PriceId '{item.PriceId}' is not a Stripe price id (price_...).");
        }
        else if (planPrices.TryGetValue(item.PriceId, out var plan))
        {
            errors.Add($"{at}:PriceId '{item.PriceId}' is the subscription price of plan {plan} in {PlanCatalogOptions.SectionName}; a purchase needs a one-time price of its own.");
        }
        else if (!prices.Add(item.PriceId))
        {
            errors.Add($"{at}:PriceId '{item.PriceId}' is sold twice.");
        }

        if (item.Amount <= 0)
        {
            errors.Add($"{at}:Amount must be a positive amount of minor units; got {item.Amount}.");
        }

        if (!Currency.TryParse(item.Currency, out var currency))
        {
            errors.Add($"{at}:Currency: {Currency.InvalidMessage(item.Currency)}");
        }
        else if (item.Amount > 0 && !currency.IsWhole(item.Amount))
        {
            errors.Add($"{at}:Amount: {currency.NotWholeMessage(item.Amount)}");
        }

        if (item.ExpiresAfter is { } lifetime && lifetime <= TimeSpan.Zero)
        {
            errors.Add($"{at}:ExpiresAfter must be positive when set; got {lifetime}.");
        }
    }
}
