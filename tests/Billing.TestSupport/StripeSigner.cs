using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Billing.TestSupport;

/// <summary>The tests' one way to sign a body as Stripe does: <c>Stripe-Signature: t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256 of "t.body"&gt;</c>.</summary>
public static class StripeSigner
{
    public const string HeaderName = "Stripe-Signature";

    public static string Header(DateTimeOffset signedAt, ReadOnlySpan<byte> body, params string[] secrets)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        var timestamp = signedAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signed = Encoding.UTF8.GetBytes(timestamp + ".").Concat(body.ToArray()).ToArray();
        var signatures = secrets.Select(secret => "v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed)));
        return $"t={timestamp}," + string.Join(',', signatures);
    }

    public static string Header(DateTimeOffset signedAt, string body, params string[] secrets) => Header(signedAt, Encoding.UTF8.GetBytes(body), secrets);
}
