using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Billing.Domain.Accounts;

namespace Billing.Application.Payments;

/// <summary>
/// Stripe idempotency keys derived from the business operation, so every retry and every racing request for the same
/// operation sends the same key. Stripe keeps a key for 24 hours and allows 255 characters.
/// </summary>
public static class PaymentIdempotencyKeys
{
    /// <summary>
    /// <c>customer-create:{accountId}</c> for the account's first customer, <c>customer-create:{accountId}#{generation}</c>
    /// after Stripe deleted earlier ones (account ids never contain <c>#</c>). An account id that is not plain printable
    /// ASCII (it goes into an HTTP header), or that starts with <c>sha256:</c>, is replaced by its SHA-256,
    /// <c>customer-create:sha256:{hex}</c>.
    /// </summary>
    public static string CustomerCreation(AccountId accountId, int generation = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(generation);
        var key = "customer-create:" + HeaderSafe(accountId);
        return generation == 0 ? key : key + "#" + generation.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// <c>checkout-create:{accountId}#{generation}:{priceId}:{trialDays}:v{accountVersion}</c>: racing requests that
    /// read the same account get one session; any later write to the account (the session remembered, completed or
    /// expired) makes the next Checkout another operation.
    /// </summary>
    public static string CheckoutCreation(BillingAccount account, string priceId, int? trialDays, string successUrl, string cancelUrl)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentException.ThrowIfNullOrWhiteSpace(priceId);
        // The redirect URLs are part of the request: racing requests with other URLs must not share a key (Stripe
        // refuses a key reused with other parameters), so a short hash of them is part of it.
        var urls = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(successUrl + "\n" + cancelUrl)))[..16];
        return string.Create(
            CultureInfo.InvariantCulture,
            $"checkout-create:{HeaderSafe(account.Id)}#{account.CustomerGeneration}:{priceId}:{trialDays ?? 0}:{urls}:v{account.Version}");
    }

    /// <summary><c>duplicate-cancel:{subscriptionId}</c>.</summary>
    public static string DuplicateSubscriptionCancel(string subscriptionId) => "duplicate-cancel:" + subscriptionId;

    /// <summary>
    /// <c>duplicate-refund:{subscriptionId}</c>; the gateway adds what it saw of the payment's refunds, so a listing
    /// that changed (a refund failed, another was made) is a new request under a new key.
    /// </summary>
    public static string DuplicateSubscriptionRefund(string subscriptionId) => "duplicate-refund:" + subscriptionId;

    /// <summary>
    /// <c>billing-usage:{accountId}:{periodKey}:{step}</c>: a usage invoice run's step (the draft, one item, the
    /// finalization) gets the same key on every delivery. Steps are named so no two can collide (an item is
    /// <c>item:{meter}</c>, the credit line <c>item:credit:prepaid</c>: meters have no colon); an account id that is not
    /// plain printable ASCII is replaced by its SHA-256, as for customers.
    /// </summary>
    public static string UsageInvoiceStep(AccountId accountId, string periodKey, string step)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(periodKey);
        ArgumentException.ThrowIfNullOrWhiteSpace(step);
        return $"billing-usage:{HeaderSafe(accountId)}:{periodKey}:{step}";
    }

    /// <summary>
    /// The account id as it is, or <c>sha256:{hex}</c> of it when it cannot go into a header, and also when it starts
    /// with <c>sha256:</c> itself: an account named like another's hash must not share its keys.
    /// </summary>
    private static string HeaderSafe(AccountId accountId)
    {
        const string Hashed = "sha256:";
        var value = accountId.Value;
        return value.All(c => c is > ' ' and <= '~') && !value.StartsWith(Hashed, StringComparison.Ordinal)
            ? value
            : Hashed + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));
    }
}
