using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Billing.TestSupport;

/// <summary>The tests' one way to sign a body as Stripe does: <c>Stripe-Signature: t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256 of "t.body"&gt;</c>.</summary>
public static class StripeSigner
{
    public const string HeaderName = "Stripe-Signature";

    /// <summary>A header with one <c>v1</c> per secret (as Stripe sends during a secret roll).</summary>
    public static string Header(DateTimeOffset signedAt, ReadOnlySpan<byte> body, params IEnumerable<string> secrets)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        var unix = signedAt.ToUnixTimeSeconds();
        var bytes = body.ToArray();
        return $"t={unix.ToString(CultureInfo.InvariantCulture)}," + string.Join(',', secrets.Select(secret => "v1=" + Signature(secret, unix, bytes)));
    }

    /// <summary>The lowercase hex <c>v1</c> signature: HMAC-SHA256 keyed with the whole secret over <c>"{t}." + body</c>.</summary>
    public static string Signature(string secret, long unixSeconds, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var signed = Encoding.UTF8.GetBytes(unixSeconds.ToString(CultureInfo.InvariantCulture) + ".").Concat(body.ToArray()).ToArray();
        return Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed));
    }

    public static string Header(DateTimeOffset signedAt, string body, params IEnumerable<string> secrets) => Header(signedAt, Encoding.UTF8.GetBytes(body), secrets);
}
