using System.Globalization;
using Billing.Application.Catalog;
using Billing.Application.StripeEvents;
using Billing.Domain.Credits;
using Billing.Domain.Metering;
using Billing.Domain.Pricing;

namespace Billing.Application.Credits;

/// <summary>
/// What one purchase sells and grants, frozen when its Checkout starts and carried in the session's metadata (the
/// secret key writes it; Stripe signs the events that bring it back). The buyer gets what was on offer when they paid,
/// also when the catalog changed or stopped selling the pack before the payment completed (a Checkout Session stays
/// open 24 hours; a delayed payment method settles days later). A session started before terms were frozen carries
/// only <see cref="Kind"/> and <see cref="Code"/>: the catalog decides then (<see cref="Resolve"/>). One whose terms
/// are there but do not read back (<see cref="Unreadable"/>) grants nothing: never a guess, and never the catalog's.
/// </summary>
public sealed record PurchaseTerms
{
    /// <summary><see cref="PurchaseKinds.CreditPack"/> or <see cref="PurchaseKinds.AddOn"/>.</summary>
    public required string Kind { get; init; }

    public required string Code { get; init; }

    /// <summary>Credit packs: the credit granted.</summary>
    public Money? Credit { get; init; }

    /// <summary>Add-ons: the meter whose limit is raised, and by how many units.</summary>
    public MeterName? Meter { get; init; }

    public long? Units { get; init; }

    /// <summary>How long the credit or add-on lasts from its grant (null: for good).</summary>
    public TimeSpan? ExpiresAfter { get; init; }

    /// <summary>
    /// What it cost when sold (the catalog's amount of its Stripe price), to compare with what the session charged
    /// (<see cref="PaidOtherThan"/>); null for sessions frozen before the price was written. Never what is granted.
    /// </summary>
    public Money? Price { get; init; }

    /// <summary>
    /// The metadata keys whose grant values are there but do not read back as this backend writes them (missing,
    /// malformed, out of range, or another purchase kind's), comma-separated; null when the terms read back or when
    /// the session carries none (a legacy one). Only key names: the values are not logged.
    /// </summary>
    public string? Unreadable { get; init; }

    /// <summary>Whether these are the terms of the sale itself (else only what was sold is known).</summary>
    public bool IsFrozen => Unreadable is null && Kind switch
    {
        PurchaseKinds.CreditPack => Credit is not null,
        PurchaseKinds.AddOn => Meter is not null && Units is not null,
        _ => false,
    };

    /// <summary>
    /// When what was paid for at <paramref name="paidAt"/> (the event's time) and applied at <paramref name="now"/>
    /// expires: the lifetime runs from the payment, so a delivery retried for hours or replayed from poison days later
    /// does not make it last longer; only a purchase applied after its whole lifetime (our failure, not the buyer's)
    /// lasts from now instead of being born expired. Null: for good.
    /// </summary>
    public DateTimeOffset? ExpiresAt(DateTimeOffset paidAt, DateTimeOffset now)
    {
        if (ExpiresAfter is not { } lifetime)
        {
            return null;
        }

        var fromPayment = (paidAt < now ? paidAt : now) + lifetime;
        return fromPayment > now ? fromPayment : now + lifetime;
    }

    /// <summary>
    /// How what the session charged (<paramref name="amountTotal"/> in <paramref name="currency"/>, Stripe's
    /// <c>amount_total</c>) differs from <see cref="Price"/>, e.g. <c>"paid 900 usd, sold at 1000 usd"</c>; null when
    /// they agree or either is unknown. Stripe computes the charge from the price id on our session (no client sets it),
    /// so a difference means the catalog's amount disagrees with the Stripe price (or a discount or tax was added):
    /// an operator's matter, reported, never a reason to grant other than the terms.
    /// </summary>
    public string? PaidOtherThan(long? amountTotal, string? currency)
    {
        if (Price is not { } price || amountTotal is not { } paid || string.IsNullOrWhiteSpace(currency))
        {
            return null;
        }

        return Currency.TryParse(currency, out var paidIn) && paidIn == price.Currency && paid == price.MinorUnits
            ? null
            : string.Create(CultureInfo.InvariantCulture, $"paid {paid} {currency}, sold at {price.MinorUnits} {price.Currency.Code}");
    }

    public static PurchaseTerms Of(CreditPack pack)
    {
        ArgumentNullException.ThrowIfNull(pack);
        return new() { Kind = PurchaseKinds.CreditPack, Code = pack.Code.Value, Credit = pack.Credit, ExpiresAfter = pack.ExpiresAfter, Price = pack.Price };
    }

    public static PurchaseTerms Of(AddOn addOn)
    {
        ArgumentNullException.ThrowIfNull(addOn);
        return new() { Kind = PurchaseKinds.AddOn, Code = addOn.Code.Value, Meter = addOn.Meter, Units = addOn.Units, ExpiresAfter = addOn.ExpiresAfter, Price = addOn.Price };
    }

    /// <summary>
    /// These terms when frozen, else what the catalog sells under <see cref="Code"/> now (null: no longer sold, or
    /// <see cref="Unreadable"/>: the catalog never stands in for terms that were written but do not read back).
    /// </summary>
    public PurchaseTerms? Resolve(PurchaseCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return IsFrozen ? this : Unreadable is not null ? null : Kind switch
        {
            PurchaseKinds.CreditPack => catalog.FindPack(Code) is { } pack ? Of(pack) : null,
            PurchaseKinds.AddOn => catalog.FindAddOn(Code) is { } addOn ? Of(addOn) : null,
            _ => null,
        };
    }

    /// <summary>The metadata entries that carry these terms (added to the session's and its PaymentIntent's).</summary>
    public IReadOnlyDictionary<string, string> ToMetadata()
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [StripeMetadataKeys.Purchase] = Kind,
            [StripeMetadataKeys.PurchaseCode] = Code,
        };
        if (Credit is { } credit)
        {
            metadata[StripeMetadataKeys.GrantCredit] = credit.MinorUnits.ToString(CultureInfo.InvariantCulture);
            metadata[StripeMetadataKeys.GrantCurrency] = credit.Currency.Code;
        }

        if (Meter is { } meter && Units is { } units)
        {
            metadata[StripeMetadataKeys.GrantMeter] = meter.Value;
            metadata[StripeMetadataKeys.GrantUnits] = units.ToString(CultureInfo.InvariantCulture);
        }

        if (ExpiresAfter is { } expiresAfter)
        {
            metadata[StripeMetadataKeys.GrantExpiresAfter] = expiresAfter.ToString("c", CultureInfo.InvariantCulture);
        }

        if (Price is { } price)
        {
            metadata[StripeMetadataKeys.PurchaseAmount] = price.MinorUnits.ToString(CultureInfo.InvariantCulture);
            metadata[StripeMetadataKeys.PurchaseCurrency] = price.Currency.Code;
        }

        return metadata;
    }

    /// <summary>
    /// The terms a session's metadata carries; null when it names no purchase. Read strictly: a session without any
    /// grant value is a legacy one (only what was sold is known, the catalog decides); one with grant values must carry
    /// all its kind needs, each as this backend writes it (whole positive minor units within the ledger's range, a
    /// currency code of which they are a whole amount, whole positive units within a counter's range, a positive <c>d.hh:mm:ss</c> lifetime, and the
    /// price as an amount with its currency when there is one: sessions frozen before it was written carry none) and none
    /// of the other kind's, else it is <see cref="Unreadable"/> and grants nothing (no value is guessed, and the
    /// catalog, which may sell something else under the code now, does not stand in for it).
    /// </summary>
    public static PurchaseTerms? FromMetadata(IReadOnlyDictionary<string, string>? metadata)
    {
        if (Value(metadata, StripeMetadataKeys.Purchase) is not { } kind || Value(metadata, StripeMetadataKeys.PurchaseCode) is not { } code)
        {
            return null;
        }

        var terms = new PurchaseTerms { Kind = kind, Code = code };
        if (!GrantKeys.Any(key => metadata!.ContainsKey(key)))
        {
            return terms; // started before terms were frozen
        }

        var unreadable = new List<string>();
        var expires = Value(metadata, StripeMetadataKeys.GrantExpiresAfter);
        TimeSpan? expiresAfter = null;
        if (metadata!.ContainsKey(StripeMetadataKeys.GrantExpiresAfter))
        {
            if (expires is not null && TimeSpan.TryParseExact(expires, "c", CultureInfo.InvariantCulture, out var parsed) && parsed > TimeSpan.Zero)
            {
                expiresAfter = parsed;
            }
            else
            {
                unreadable.Add(StripeMetadataKeys.GrantExpiresAfter);
            }
        }

        Money? price = null;
        if (metadata.ContainsKey(StripeMetadataKeys.PurchaseAmount) || metadata.ContainsKey(StripeMetadataKeys.PurchaseCurrency))
        {
            if (WholeNumber(Value(metadata, StripeMetadataKeys.PurchaseAmount), long.MaxValue) is { } amount && Currency.TryParse(Value(metadata, StripeMetadataKeys.PurchaseCurrency), out var priceCurrency))
            {
                price = new Money(amount, priceCurrency);
            }
            else
            {
                unreadable.AddRange([StripeMetadataKeys.PurchaseAmount, StripeMetadataKeys.PurchaseCurrency]);
            }
        }

        var (required, foreign) = kind switch
        {
            PurchaseKinds.CreditPack => (new[] { StripeMetadataKeys.GrantCredit, StripeMetadataKeys.GrantCurrency }, new[] { StripeMetadataKeys.GrantMeter, StripeMetadataKeys.GrantUnits }),
            PurchaseKinds.AddOn => (new[] { StripeMetadataKeys.GrantMeter, StripeMetadataKeys.GrantUnits }, new[] { StripeMetadataKeys.GrantCredit, StripeMetadataKeys.GrantCurrency }),
            _ => (new[] { StripeMetadataKeys.Purchase }, Array.Empty<string>()), // a kind this backend does not sell carries no terms it could read
        };
        unreadable.AddRange(foreign.Where(metadata.ContainsKey));
        Money? credit = null;
        MeterName? meter = null;
        long? units = null;
        if (kind == PurchaseKinds.CreditPack)
        {
            if (WholeNumber(Value(metadata, StripeMetadataKeys.GrantCredit), CreditOperation.MaxAmount) is { } minorUnits
                && Currency.TryParse(Value(metadata, StripeMetadataKeys.GrantCurrency), out var currency)
                && currency.IsWhole(minorUnits)) // as the catalog requires of a pack's credit: spendable on an invoice exactly
            {
                credit = new Money(minorUnits, currency);
            }
            else
            {
                unreadable.AddRange(required);
            }
        }
        else if (kind == PurchaseKinds.AddOn)
        {
            if (MeterName.TryParse(Value(metadata, StripeMetadataKeys.GrantMeter), out var parsedMeter)
                && WholeNumber(Value(metadata, StripeMetadataKeys.GrantUnits), UsageCounters.MaxCount) is { } parsedUnits)
            {
                (meter, units) = (parsedMeter, parsedUnits);
            }
            else
            {
                unreadable.AddRange(required);
            }
        }
        else
        {
            unreadable.AddRange(required);
        }

        return unreadable.Count > 0
            ? terms with { Unreadable = string.Join(", ", unreadable.Distinct(StringComparer.Ordinal)) }
            : terms with { Credit = credit, Meter = meter, Units = units, ExpiresAfter = expiresAfter, Price = price };
    }

    /// <summary>The keys that make a session's terms frozen ones: any of them present, all its kind needs must read back.</summary>
    private static readonly string[] GrantKeys =
    [
        StripeMetadataKeys.GrantCredit, StripeMetadataKeys.GrantCurrency, StripeMetadataKeys.GrantMeter, StripeMetadataKeys.GrantUnits, StripeMetadataKeys.GrantExpiresAfter,
        StripeMetadataKeys.PurchaseAmount, StripeMetadataKeys.PurchaseCurrency,
    ];

    /// <summary>A positive whole number of at most <paramref name="max"/>, in the invariant digits this backend writes (no sign, exponent or separator).</summary>
    private static long? WholeNumber(string? value, long max) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number is > 0 && number <= max ? number : null;

    private static string? Value(IReadOnlyDictionary<string, string>? metadata, string key) =>
        metadata is not null && metadata.TryGetValue(key, out var value) && !string.IsNullOrWhiteSpace(value) ? value : null;
}
