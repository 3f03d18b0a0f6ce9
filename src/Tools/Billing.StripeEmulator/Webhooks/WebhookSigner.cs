using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Billing.StripeEmulator.Webhooks;

/// <summary>
/// `Stripe-Signature: t={unix},v1={hex}` where v1 = HMAC-SHA256(key: UTF-8 bytes of the whole `whsec_...` secret,
/// message: "{t}.{body}"), lowercase hex.
/// </summary>
internal static class WebhookSigner
{
    public static string SignatureHeader(string secret, long timestamp, string body)
    {
        var t = timestamp.ToString(CultureInfo.InvariantCulture);
        return $"t={t},v1={Compute(secret, t, body)}";
    }

    public static string Compute(string secret, string timestamp, string body)
    {
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{body}"));
        return Convert.ToHexStringLower(mac);
    }
}
