using System.Collections.Frozen;
using System.Globalization;
using Billing.Domain.Metering;
using Billing.Domain.Plans.Configuration;
using Billing.Domain.Pricing;

namespace Billing.Domain.Plans;

/// <summary>Checks every rule of the catalog configuration, collecting all errors, and builds the plans when there are none.</summary>
internal sealed class PlanCatalogBuilder(PlanCatalogOptions options)
{
    /// <summary>Stripe's own maximum for <c>trial_period_days</c>.</summary>
    public const int MaxTrialDays = 730;

    public const int MaxDisplayNameLength = 100;

    private readonly List<string> _errors = [];
    private readonly List<MeterName> _consumptionMeters = [];
    private readonly List<MeterName> _allocationMeters = [];
    private readonly Dictionary<MeterName, MeterKind> _meterKinds = [];
    private readonly List<FeatureName> _features = [];
    private FrozenDictionary<MeterName, MeterKind> _frozenMeterKinds = FrozenDictionary<MeterName, MeterKind>.Empty;

    public IReadOnlyList<string> Errors => _errors;

    public PlanCatalog? Build()
    {
        DeclareMeters(nameof(PlanCatalogOptions.Meters), options.Meters, MeterKind.Consumption, _consumptionMeters);
        DeclareMeters(nameof(PlanCatalogOptions.AllocationMeters), options.AllocationMeters, MeterKind.Allocation, _allocationMeters);
        _frozenMeterKinds = _meterKinds.ToFrozenDictionary();
        DeclareFeatures();
        if (options.Plans.Count == 0)
        {
            _errors.Add("Plans: no plan is configured; at least the free plan is needed.");
        }

        var plans = new List<Plan>();
        var codes = new Dictionary<PlanCode, int>();
        var priceIds = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Plans.Count; i++)
        {
            var plan = BuildPlan(i, options.Plans[i], codes, priceIds);
            if (plan is not null)
            {
                plans.Add(plan);
            }
        }

        var freePlans = options.Plans.Count(p => p?.Kind == PlanKind.Free);
        if (freePlans != 1 && options.Plans.Count > 0)
        {
            _errors.Add($"Plans: exactly one plan must have Kind = Free (the default plan); found {freePlans}.");
        }

        var trialPlans = options.Plans.Count(p => p?.Kind == PlanKind.Trial);
        if (trialPlans > 1)
        {
            _errors.Add($"Plans: at most one plan may have Kind = Trial (the plan POST /trial grants); found {trialPlans}.");
        }

        return _errors.Count == 0
            ? new PlanCatalog(plans, _consumptionMeters, _allocationMeters, _features, _frozenMeterKinds)
            : null;
    }

    /// <summary>Declares the meters of one list; a name may appear only once across <c>Meters</c> and <c>AllocationMeters</c>.</summary>
    private void DeclareMeters(string list, IList<string> names, MeterKind kind, List<MeterName> declared)
    {
        for (var i = 0; i < names.Count; i++)
        {
            var raw = names[i];
            if (!MeterName.TryParse(raw, out var meter))
            {
                _errors.Add($"{list}[{i}]: {MeterName.InvalidMessage(raw)}");
            }
            else if (_meterKinds.TryGetValue(meter, out var existing))
            {
                _errors.Add(existing == kind
                    ? $"{list}[{i}]: meter '{meter}' is declared twice."
                    : $"{list}[{i}]: meter '{meter}' is already declared in {ListOf(existing)}; a meter is either a consumption meter (Meters) or an allocation meter (AllocationMeters), not both.");
            }
            else
            {
                _meterKinds.Add(meter, kind);
                declared.Add(meter);
            }
        }
    }

    private void DeclareFeatures()
    {
        for (var i = 0; i < options.Features.Count; i++)
        {
            var raw = options.Features[i];
            if (!FeatureName.TryParse(raw, out var feature))
            {
                _errors.Add($"Features[{i}]: {FeatureName.InvalidMessage(raw)}");
            }
            else if (_features.Contains(feature))
            {
                _errors.Add($"Features[{i}]: feature '{feature}' is declared twice.");
            }
            else
            {
                _features.Add(feature);
            }
        }
    }

    private Plan? BuildPlan(int index, PlanOptions? plan, Dictionary<PlanCode, int> codes, Dictionary<string, string> priceIds)
    {
        if (plan is null)
        {
            _errors.Add($"Plans[{index}]: the entry is empty.");
            return null;
        }

        var errorsBefore = _errors.Count;
        var where = string.IsNullOrWhiteSpace(plan.Code) ? $"Plans[{index}]" : $"Plans[{index}] '{plan.Code}'";

        PlanCode code = default;
        if (string.IsNullOrWhiteSpace(plan.Code))
        {
            _errors.Add($"{where}: Code is required.");
        }
        else if (!PlanCode.TryParse(plan.Code, out code))
        {
            _errors.Add($"{where}: {PlanCode.InvalidMessage(plan.Code)}");
        }
        else if (codes.TryGetValue(code, out var other))
        {
            _errors.Add($"{where}: Code '{code}' is also used by Plans[{other}]; plan codes must be unique.");
        }
        else
        {
            codes.Add(code, index);
        }

        if (string.IsNullOrWhiteSpace(plan.DisplayName))
        {
            _errors.Add($"{where}: DisplayName is required.");
        }
        else if (plan.DisplayName.Length > MaxDisplayNameLength)
        {
            _errors.Add($"{where}: DisplayName must be at most {MaxDisplayNameLength} characters.");
        }

        if (!Enum.IsDefined(plan.Kind))
        {
            _errors.Add($"{where}: Kind must be Paid, Free or Trial.");
        }

        var prices = BuildPrices(where, plan, priceIds);
        CheckKindRules(where, plan);
        var currency = BuildCurrency(where, plan);
        var meters = BuildMeters(where, plan, currency);
        var features = BuildFeatures(where, plan);

        if (_errors.Count != errorsBefore)
        {
            return null;
        }

        return new Plan(code, plan.DisplayName!, plan.Kind, prices, plan.TrialDays, currency, meters, features, _frozenMeterKinds);
    }

    private Dictionary<BillingInterval, string> BuildPrices(string where, PlanOptions plan, Dictionary<string, string> priceIds)
    {
        var prices = new Dictionary<BillingInterval, string>();
        AddPrice(BillingInterval.Month, plan.Prices.Month);
        AddPrice(BillingInterval.Year, plan.Prices.Year);
        return prices;

        void AddPrice(BillingInterval interval, string? priceId)
        {
            if (priceId is null)
            {
                return;
            }

            var label = $"{where}: Prices:{interval}";
            if (priceId.Length == 0 || priceId.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
            {
                _errors.Add($"{label}: '{priceId}' is not a Stripe price id (empty or contains white space).");
                return;
            }

            if (priceIds.TryGetValue(priceId, out var owner))
            {
                _errors.Add($"{label}: price id '{priceId}' is already used by {owner}; price ids must be unique across the catalog.");
                return;
            }

            priceIds.Add(priceId, $"{where} Prices:{interval}");
            prices.Add(interval, priceId);
        }
    }

    private void CheckKindRules(string where, PlanOptions plan)
    {
        var hasPriceIds = plan.Prices.Month is not null || plan.Prices.Year is not null;
        switch (plan.Kind)
        {
            case PlanKind.Paid:
                if (!hasPriceIds)
                {
                    _errors.Add($"{where}: a paid plan needs at least one Stripe price id (Prices:Month or Prices:Year).");
                }

                if (plan.TrialDays is < 0 or > MaxTrialDays)
                {
                    _errors.Add($"{where}: TrialDays (the Checkout trial) must be between 0 and {MaxTrialDays}.");
                }

                break;
            case PlanKind.Free:
                if (hasPriceIds)
                {
                    _errors.Add($"{where}: the free plan must not have Stripe price ids.");
                }

                if (plan.TrialDays != 0)
                {
                    _errors.Add($"{where}: the free plan has no trial; remove TrialDays.");
                }

                break;
            case PlanKind.Trial:
                if (hasPriceIds)
                {
                    _errors.Add($"{where}: the trial plan is granted by the app, not sold; remove its Stripe price ids.");
                }

                if (plan.TrialDays is < 1 or > MaxTrialDays)
                {
                    _errors.Add($"{where}: the trial plan needs TrialDays between 1 and {MaxTrialDays}.");
                }

                break;
        }

    }

    private Currency? BuildCurrency(string where, PlanOptions plan)
    {
        if (plan.Currency is null)
        {
            return null;
        }

        if (!Currency.TryParse(plan.Currency, out var currency))
        {
            _errors.Add($"{where}: Currency {Currency.InvalidMessage(plan.Currency)}");
            return null;
        }

        return currency;
    }

    private Dictionary<MeterName, MeterPolicy> BuildMeters(string where, PlanOptions plan, Currency? currency)
    {
        var policies = new Dictionary<MeterName, MeterPolicy>();
        var listed = new HashSet<MeterName>();
        foreach (var (name, meterOptions) in plan.Meters.OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            var label = $"{where}: Meters:{name}";
            if (!MeterName.TryParse(name, out var meter))
            {
                _errors.Add($"{label}: {MeterName.InvalidMessage(name)}");
                continue;
            }

            if (!_meterKinds.TryGetValue(meter, out var meterKind))
            {
                _errors.Add($"{label}: meter '{meter}' is not declared in Meters or AllocationMeters (declared: {Describe(_consumptionMeters.Concat(_allocationMeters))}).");
                continue;
            }

            listed.Add(meter);
            if (meterOptions?.Quota is not { } quota)
            {
                _errors.Add($"{label}: Quota is required (0 = unlimited, said explicitly).");
                continue;
            }

            var policy = BuildMeterPolicy(label, plan.Kind, meter, meterKind, quota, meterOptions, currency, plan.Currency is null);
            if (policy is not null)
            {
                policies.Add(meter, policy);
            }
        }

        // A meter added to the catalog later must not be unlimited on a plan that was not updated for it.
        var missing = _consumptionMeters.Concat(_allocationMeters).Where(m => !listed.Contains(m)).ToList();
        if (missing.Count > 0)
        {
            _errors.Add($"{where}: Meters must list every declared meter, with Quota 0 where it is unlimited; missing: {Describe(missing)}.");
        }

        return policies;
    }

    private FrozenSet<FeatureName> BuildFeatures(string where, PlanOptions plan)
    {
        var features = new HashSet<FeatureName>();
        for (var i = 0; i < plan.Features.Count; i++)
        {
            var raw = plan.Features[i];
            var label = $"{where}: Features[{i}]";
            if (!FeatureName.TryParse(raw, out var feature))
            {
                _errors.Add($"{label}: {FeatureName.InvalidMessage(raw)}");
            }
            else if (!_features.Contains(feature))
            {
                _errors.Add($"{label}: feature '{feature}' is not declared in Features (declared: {Describe(_features)}).");
            }
            else if (!features.Add(feature))
            {
                _errors.Add($"{label}: feature '{feature}' is listed twice.");
            }
        }

        return features.ToFrozenSet();
    }

    private MeterPolicy? BuildMeterPolicy(string label, PlanKind kind, MeterName meter, MeterKind meterKind, long quota, MeterOptions meterOptions, Currency? currency, bool currencyMissing)
    {
        if (quota is < 0 or > UsageCounters.MaxCount)
        {
            _errors.Add($"{label}: Quota must be from 0 (unlimited) to {UsageCounters.MaxCount} (2^53 - 1, the most a counter holds); got {quota}.");
            return null;
        }

        switch (meterOptions.Enforcement)
        {
            case MeterEnforcement.HardLimit:
                if (meterOptions.Overage is not null)
                {
                    _errors.Add($"{label}: Overage pricing is only allowed with Enforcement = Overage.");
                    return null;
                }

                return quota == 0
                    ? MeterPolicy.Unlimited(meter, meterKind)
                    : MeterPolicy.Limited(meter, quota, meterKind);

            case MeterEnforcement.Overage when meterKind == MeterKind.Allocation:
                _errors.Add($"{label}: '{meter}' is an allocation meter (units are held, never reset per period), so its Enforcement must be HardLimit; overage is billed on consumption meters only.");
                return null;

            case MeterEnforcement.Overage:
                var errorsBefore = _errors.Count;
                if (kind != PlanKind.Paid)
                {
                    _errors.Add($"{label}: only paid plans can bill overage (there is no Stripe subscription to invoice on a {kind} plan).");
                }

                if (quota == 0)
                {
                    _errors.Add($"{label}: an overage meter needs Quota > 0 (the included units); 0 would mean unlimited.");
                }

                if (currencyMissing)
                {
                    _errors.Add($"{label}: overage pricing needs the plan's Currency (e.g. 'usd').");
                }

                if (meterOptions.Overage is null)
                {
                    _errors.Add($"{label}: Enforcement = Overage needs Overage pricing (UnitAmount or Tiers).");
                    return null;
                }

                var price = currency is { } c ? BuildOveragePrice(label, meterOptions.Overage, c) : null;
                return _errors.Count == errorsBefore && price is not null
                    ? MeterPolicy.WithOverage(meter, quota, price)
                    : null;

            default:
                _errors.Add($"{label}: Enforcement must be HardLimit or Overage.");
                return null;
        }
    }

    private OveragePrice? BuildOveragePrice(string label, OveragePriceOptions overage, Currency currency)
    {
        var hasUnit = overage.UnitAmount is not null;
        var hasTiers = overage.Tiers.Count > 0;
        if (hasUnit == hasTiers)
        {
            _errors.Add($"{label}: Overage needs either UnitAmount or Tiers (exactly one of them).");
            return null;
        }

        if (overage.UnitAmount is { } unitAmount)
        {
            if (unitAmount < 0)
            {
                _errors.Add($"{label}: Overage:UnitAmount must not be negative (integer minor units, e.g. cents).");
                return null;
            }

            return CheckWhole($"{label}: Overage:UnitAmount", unitAmount, currency)
                ? new PerUnitOveragePrice(new Money(unitAmount, currency))
                : null;
        }

        return BuildTiers(label, overage.Tiers, currency);
    }

    private GraduatedOveragePrice? BuildTiers(string label, IList<PriceTierOptions> tiers, Currency currency)
    {
        var errorsBefore = _errors.Count;
        long previous = 0;
        for (var i = 0; i < tiers.Count; i++)
        {
            var tier = tiers[i];
            var tierLabel = $"{label}: Overage:Tiers[{i}]";
            if (tier is null)
            {
                _errors.Add($"{tierLabel}: the entry is empty.");
                continue;
            }

            if (tier.UnitAmount < 0 || tier.FlatAmount < 0)
            {
                _errors.Add($"{tierLabel}: UnitAmount and FlatAmount must not be negative (integer minor units).");
            }

            CheckWhole($"{tierLabel}: UnitAmount", tier.UnitAmount, currency);
            CheckWhole($"{tierLabel}: FlatAmount", tier.FlatAmount, currency);

            var isLast = i == tiers.Count - 1;
            if (tier.UpTo is null && !isLast)
            {
                _errors.Add($"{tierLabel}: only the last tier may be open-ended; set UpTo.");
            }
            else if (tier.UpTo is not null && isLast)
            {
                _errors.Add($"{tierLabel}: the last tier must be open-ended (no UpTo) so every quantity is priced.");
            }
            else if (tier.UpTo is { } upTo)
            {
                if (upTo <= previous)
                {
                    _errors.Add(string.Create(CultureInfo.InvariantCulture, $"{tierLabel}: UpTo must be greater than the previous tier's ({previous}); tiers are ascending."));
                }

                previous = Math.Max(previous, upTo);
            }
        }

        if (_errors.Count != errorsBefore)
        {
            return null;
        }

        return new GraduatedOveragePrice(
            [.. tiers.Select(t => new PriceTier(t.UpTo, new Money(t.UnitAmount, currency), new Money(t.FlatAmount, currency)))]);
    }

    /// <summary>
    /// Stripe charges a currency only in whole steps (<see cref="Currency.MinorUnitStep"/>), and an invoice line is a sum of
    /// unit and flat amounts: with each of them whole, so is every line.
    /// </summary>
    private bool CheckWhole(string label, long amount, Currency currency)
    {
        if (currency.IsWhole(amount))
        {
            return true;
        }

        _errors.Add($"{label}: {currency.NotWholeMessage(amount)}");
        return false;
    }

    private static string ListOf(MeterKind kind) =>
        kind == MeterKind.Allocation ? nameof(PlanCatalogOptions.AllocationMeters) : nameof(PlanCatalogOptions.Meters);

    private static string Describe<T>(IEnumerable<T> names)
    {
        var list = string.Join(", ", names);
        return list.Length == 0 ? "none" : list;
    }
}
