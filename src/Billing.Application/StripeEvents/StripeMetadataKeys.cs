namespace Billing.Application.StripeEvents;

/// <summary>Metadata keys the backend sets on Stripe objects it creates.</summary>
public static class StripeMetadataKeys
{
    /// <summary>The billing account id, on Checkout Sessions, their subscriptions (<c>subscription_data.metadata</c>) and customers.</summary>
    public const string AccountId = "account_id";

    /// <summary>The invoice run (account and period) that created a usage invoice or invoice item.</summary>
    public const string BillingRun = "billing_run";

    /// <summary>The meter an invoice item bills (usage invoices).</summary>
    public const string Meter = "meter";

    /// <summary>The start of the billed usage period (ISO 8601, UTC), on usage invoices.</summary>
    public const string PeriodStart = "period_start";

    /// <summary>The end of the billed usage period (ISO 8601, UTC), on usage invoices.</summary>
    public const string PeriodEnd = "period_end";

    /// <summary>What a payment-mode Checkout Session sells: <c>credit_pack</c> or <c>add_on</c> (on the session and its PaymentIntent).</summary>
    public const string Purchase = "purchase";

    /// <summary>The code of the credit pack or add-on a payment-mode Checkout Session sells.</summary>
    public const string PurchaseCode = "purchase_code";

    /// <summary>
    /// What the purchase cost when its Checkout started (the catalog's amount of its price, minor units of
    /// <see cref="PurchaseCurrency"/>): compared with the session's <c>amount_total</c> when it is granted.
    /// </summary>
    public const string PurchaseAmount = "purchase_amount";

    public const string PurchaseCurrency = "purchase_currency";

    /// <summary>A credit pack's credit in minor units of <see cref="GrantCurrency"/>, frozen at Checkout (<c>PurchaseTerms</c>).</summary>
    public const string GrantCredit = "grant_credit";

    public const string GrantCurrency = "grant_currency";

    /// <summary>An add-on's meter and units, frozen at Checkout.</summary>
    public const string GrantMeter = "grant_meter";

    public const string GrantUnits = "grant_units";

    /// <summary>How long the credit or add-on lasts from its grant (<c>d.hh:mm:ss</c>); absent: for good.</summary>
    public const string GrantExpiresAfter = "grant_expires_after";
}
