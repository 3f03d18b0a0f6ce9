namespace Billing.Application.Catalog;

/// <summary>
/// One-off purchases sold through payment-mode Checkout (section <c>Billing:Purchases</c>): credit packs and add-ons.
/// Validated at start-up by <see cref="PurchaseOptionsValidator"/> and turned into the <see cref="PurchaseCatalog"/>.
/// </summary>
public sealed class PurchaseOptions
{
    public const string SectionName = "Billing:Purchases";

    public IList<CreditPackOptions> CreditPacks { get; } = [];

    public IList<AddOnOptions> AddOns { get; } = [];
}

/// <summary>What every one-off purchase has: its code, the Stripe one-time price and what that price costs.</summary>
public abstract class PurchaseItemOptions
{
    /// <summary>Upper-case letter then letters, digits, <c>_</c> (like plan codes), e.g. <c>CREDITS_10</c>.</summary>
    public string Code { get; set; } = "";

    public string DisplayName { get; set; } = "";

    /// <summary>The Stripe one-time price (<c>price_...</c>) Checkout sells.</summary>
    public string PriceId { get; set; } = "";

    /// <summary>What the price costs, in minor units of <see cref="Currency"/> (shown before Checkout; Stripe charges its price).</summary>
    public long Amount { get; set; }

    public string Currency { get; set; } = "";

    /// <summary>How long what it grants lasts from the grant; empty for no expiry.</summary>
    public TimeSpan? ExpiresAfter { get; set; }
}

/// <summary>A pack of prepaid credit: <see cref="Credit"/> minor units of <see cref="CreditCurrency"/> (the price's currency when empty).</summary>
public sealed class CreditPackOptions : PurchaseItemOptions
{
    public long Credit { get; set; }

    public string? CreditCurrency { get; set; }
}

/// <summary>An add-on: +<see cref="Units"/> on one meter (consumption or allocation) of the catalog.</summary>
public sealed class AddOnOptions : PurchaseItemOptions
{
    public string Meter { get; set; } = "";

    public long Units { get; set; }
}
