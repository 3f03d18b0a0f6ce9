using System.Globalization;
using Billing.Application.Catalog;
using Billing.Application.StripeEvents;
using Billing.Domain.Metering;
using Billing.Domain.Pricing;

namespace Billing.Application.Credits;

/// <summary>
/// What one purchase sells and grants, frozen when its Checkout starts and carried in the session's metadata (the
/// secret key writes it; Stripe signs the events that bring it back). The buyer gets what was on offer when they paid,
/// also when the catalog changed or stopped selling the pack before the payment completed (a Checkout Session stays
/// open 24 hours; a delayed payment method settles days later). A session started before terms were frozen carries
/// only <see cref="Kind"/> and <see cref="Code"/>: the catalog decides then (<see cref="Resolve"/>).
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

    /// <summary>Whether these are the terms of the sale itself (else only what was sold is known).</summary>
    public bool IsFrozen => Kind switch
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

    public static PurchaseTerms Of(CreditPack pack)
    {
        ArgumentNullException.ThrowIfNull(pack);
        return new() { Kind = PurchaseKinds.CreditPack, Code = pack.Code.Value, Credit = pack.Credit, ExpiresAfter = pack.ExpiresAfter };
    }

    public static PurchaseTerms Of(AddOn addOn)
    {
        ArgumentNullException.ThrowIfNull(addOn);
        return new() { Kind = PurchaseKinds.AddOn, Code = addOn.Code.Value, Meter = addOn.Meter, Units = addOn.Units, ExpiresAfter = addOn.ExpiresAfter };
    }

    /// <summary>These terms when frozen, else what the catalog sells under <see cref="Code"/> now (null: no longer sold).</summary>
    public PurchaseTerms? Resolve(PurchaseCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return IsFrozen ? this : Kind switch
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

        return metadata;
    }

    /// <summary>
    /// The terms a session's metadata carries; null when it names no purchase. A grant value that does not read back
    /// (never written so by this backend) leaves the terms unfrozen, so the catalog decides rather than a guess.
    /// </summary>
    public static PurchaseTerms? FromMetadata(IReadOnlyDictionary<string, string>? metadata)
    {
        if (Value(metadata, StripeMetadataKeys.Purchase) is not { } kind || Value(metadata, StripeMetadataKeys.PurchaseCode) is not { } code)
        {
            return null;
        }

        var terms = new PurchaseTerms { Kind = kind, Code = code };
        var expires = Value(metadata, StripeMetadataKeys.GrantExpiresAfter);
        TimeSpan? expiresAfter = null;
        if (expires is not null)
        {
            if (!TimeSpan.TryParseExact(expires, "c", CultureInfo.InvariantCulture, out var parsed) || parsed <= TimeSpan.Zero)
            {
                return terms;
            }

            expiresAfter = parsed;
        }

        if (long.TryParse(Value(metadata, StripeMetadataKeys.GrantCredit), NumberStyles.None, CultureInfo.InvariantCulture, out var credit)
            && credit > 0
            && Currency.TryParse(Value(metadata, StripeMetadataKeys.GrantCurrency), out var currency))
        {
            return terms with { Credit = new Money(credit, currency), ExpiresAfter = expiresAfter };
        }

        if (MeterName.TryParse(Value(metadata, StripeMetadataKeys.GrantMeter), out var meter)
            && long.TryParse(Value(metadata, StripeMetadataKeys.GrantUnits), NumberStyles.None, CultureInfo.InvariantCulture, out var units)
            && units > 0)
        {
            return terms with { Meter = meter, Units = units, ExpiresAfter = expiresAfter };
        }

        return terms;
    }

    private static string? Value(IReadOnlyDictionary<string, string>? metadata, string key) =>
        metadata is not null && metadata.TryGetValue(key, out var value) && !string.IsNullOrWhiteSpace(value) ? value : null;
}
