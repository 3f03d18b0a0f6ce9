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
    private const string CustomerCreationPrefix = "customer-create:";

    /// <summary>
    /// <c>customer-create:{accountId}</c>; an account id that is not plain printable ASCII (it goes into an HTTP header)
    /// is replaced by its SHA-256, <c>customer-create:sha256:{hex}</c>.
    /// </summary>
    public static string CustomerCreation(AccountId accountId)
    {
        var value = accountId.Value;
        return value.All(c => c is > ' ' and <= '~')
            ? CustomerCreationPrefix + value
            : CustomerCreationPrefix + "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));
    }
}
