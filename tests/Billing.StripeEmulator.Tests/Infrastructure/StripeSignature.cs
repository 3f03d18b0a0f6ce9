using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Billing.TestSupport;

namespace Billing.StripeEmulator.Tests.Infrastructure;

/// <summary>
/// The test's own check of `Stripe-Signature` (independent of the emulator's code): the tests' one signer
/// (<see cref="StripeSigner"/>: HMAC-SHA256 with the whole `whsec_...` secret as UTF-8 key over "{t}.{body}"), any v1
/// matching, t within 300 s of now.
/// </summary>
public static class StripeSignature
{
    public static bool IsValid(string? header, string body, string secret, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(header))
        {
            return false;
        }

        string? timestamp = null;
        var signatures = new List<string>();
        foreach (var part in header.Split(','))
        {
            var equals = part.IndexOf('=');
            if (equals <= 0)
            {
                continue;
            }

            var key = part[..equals];
            var value = part[(equals + 1)..];
            if (key == "t")
            {
                timestamp = value;
            }
            else if (key == "v1")
            {
                signatures.Add(value);
            }
        }

        if (timestamp is null || signatures.Count == 0 || !long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var t))
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(StripeSigner.Signature(secret, t, Encoding.UTF8.GetBytes(body)));
        var matches = signatures.Any(s => CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(s), expected));
        return matches && Math.Abs(now.ToUnixTimeSeconds() - t) <= 300;
    }
}
