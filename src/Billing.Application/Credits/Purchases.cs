using Billing.Application.Accounts;
using Billing.Application.Catalog;
using Billing.Application.Checkout;
using Billing.Application.Entitlements;
using Billing.Application.Outcomes;
using Billing.Application.Payments;
using Billing.Application.Redirects;
using Billing.Domain.Accounts;
using Billing.Domain.Metering;
using Billing.Domain.Pricing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Billing.Application.Credits;

/// <summary>What a purchase sells: a credit pack or an add-on (the <c>purchase</c> metadata value).</summary>
public static class PurchaseKinds
{
    public const string CreditPack = "credit_pack";
    public const string AddOn = "add_on";
}

/// <summary>A started payment-mode Checkout for a pack or add-on.</summary>
public sealed record StartedPurchase(string SessionId, Uri Url, string Purchase, string Code, Money Price);

/// <summary>
/// Starts a payment-mode Stripe Checkout for a credit pack (<c>POST /api/billing/credits/checkout</c>) or an add-on
/// (<c>POST /api/billing/addons/checkout</c>). Validation first (a refused request writes nothing; an add-on for a meter
/// the caller's plan puts no limit on is refused, since it would raise nothing); then the account's
/// Stripe customer (created if needed) and one new session, whose metadata carries what it grants as the catalog has
/// it now (<see cref="PurchaseTerms"/>); it is granted when Stripe reports the payment (<see cref="PurchaseCompletedHandler"/>).
/// </summary>
public sealed partial class Purchases(
    PurchaseCatalog catalog,
    IBillingAccountStore accounts,
    AccountEntitlements entitlements,
    StripeCustomerProvisioning customers,
    IStripeBillingGateway gateway,
    RedirectUrlPolicy redirects,
    IOptions<CheckoutOptions> options,
    TimeProvider time,
    ILogger<Purchases> logger)
{
    public Task<Outcome<StartedPurchase>> StartCreditPackAsync(AccountId accountId, string? pack, string? successUrl, string? cancelUrl, CancellationToken cancellationToken)
    {
        var found = catalog.FindPack(pack);
        return StartAsync(accountId, PurchaseKinds.CreditPack, "pack", pack, found is null ? null : (PurchaseTerms.Of(found), found.PriceId, found.Price), null, successUrl, cancelUrl, cancellationToken);
    }

    public Task<Outcome<StartedPurchase>> StartAddOnAsync(AccountId accountId, string? addOn, string? successUrl, string? cancelUrl, CancellationToken cancellationToken)
    {
        var found = catalog.FindAddOn(addOn);
        return StartAsync(accountId, PurchaseKinds.AddOn, "addOn", addOn, found is null ? null : (PurchaseTerms.Of(found), found.PriceId, found.Price), found?.Meter, successUrl, cancelUrl, cancellationToken);
    }

    /// <param name="raises">The meter an add-on raises (null for a credit pack): refused when the caller's plan puts no limit on it.</param>
    private async Task<Outcome<StartedPurchase>> StartAsync(
        AccountId accountId,
        string purchase,
        string field,
        string? requested,
        (PurchaseTerms Terms, string PriceId, Money Price)? item,
        MeterName? raises,
        string? successUrl,
        string? cancelUrl,
        CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        if (string.IsNullOrWhiteSpace(requested))
        {
            errors.Add(field, $"The {field} is required (a code from the configured {(purchase == PurchaseKinds.CreditPack ? "credit packs" : "add-ons")}).");
        }
        else if (item is null)
        {
            var codes = purchase == PurchaseKinds.CreditPack ? catalog.CreditPacks.Select(p => p.Code.Value) : catalog.AddOns.Select(a => a.Code.Value);
            errors.Add(field, $"{ValidationErrors.Quote(requested)} is not {(purchase == PurchaseKinds.CreditPack ? "a credit pack" : "an add-on")} of the catalog; {(codes.Any() ? $"the catalog has: {string.Join(", ", codes.Order(StringComparer.Ordinal))}" : "the catalog has none")}.");
        }

        var success = redirects.Choose(successUrl, options.Value.SuccessUrl, "successUrl", errors);
        var cancel = redirects.Choose(cancelUrl, options.Value.CancelUrl, "cancelUrl", errors);
        if (!errors.IsEmpty || item is not { } sold || success is null || cancel is null)
        {
            return Outcome.Invalid<StartedPurchase>(errors);
        }

        // The account read for the add-on's refusal is the one the customer is ensured on: read once.
        BillingAccount? read = null;
        if (raises is { } meter)
        {
            var now = time.GetUtcNow();
            read = await accounts.GetAsync(accountId, cancellationToken).ConfigureAwait(false);
            if (entitlements.Evaluate(read ?? BillingAccount.Open(accountId, now), now).Plan is var plan && plan.PolicyFor(meter).IsUnlimited)
            {
                return Outcome.Refused<StartedPurchase>(
                    RefusalReason.AddOnNotApplicable,
                    $"The {plan.DisplayName} plan puts no limit on {meter}, so {sold.Terms.Code} would raise nothing; nothing was charged.");
            }

            // Never stored: created, not read again (null: a concurrent request created it, and it is read).
            read ??= await accounts.CreateAsync(accountId, cancellationToken).ConfigureAwait(false);
        }

        var account = await customers.EnsureCustomerAsync(accountId, read, cancellationToken).ConfigureAwait(false);
        var session = await gateway.CreatePaymentCheckoutSessionAsync(
            new HostedPaymentRequest
            {
                AccountId = accountId,
                CustomerId = account.StripeCustomerId!,
                PriceId = sold.PriceId,
                Terms = sold.Terms,
                SuccessUrl = success,
                CancelUrl = cancel,
            },
            cancellationToken).ConfigureAwait(false);
        LogStarted(accountId.Value, purchase, sold.Terms.Code, session.SessionId);
        return Outcome.Succeeded(new StartedPurchase(session.SessionId, session.Url, purchase, sold.Terms.Code, sold.Price));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Checkout {SessionId} started for account {AccountId}: {Purchase} {Code}")]
    private partial void LogStarted(string accountId, string purchase, string code, string sessionId);
}
