using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Billing.Infrastructure.StripeApi.Webhooks;

/// <summary>Computes Stripe webhook signatures: lowercase hex of HMAC-SHA256 with key = UTF-8 bytes of the whole
/// <c>whsec_...</c> secret over <c>"{t}." + raw body</c>. Used by the verifier, and by tests and benchmarks to sign payloads.</summary>
public static class StripeSignature
{
    public const string HeaderName = "Stripe-Signature";

    /// <summary>A complete header value <c>t={unix},v1={hex}</c>, one <c>v1</c> per secret (as during a secret roll).</summary>
    public static string ComputeHeader(DateTimeOffset timestamp, ReadOnlySpan<byte> payload, params IEnumerable<string> secrets)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        var unix = timestamp.ToUnixTimeSeconds();
        var builder = new StringBuilder("t=").Append(unix.ToString(CultureInfo.InvariantCulture));
        foreach (var secret in secrets)
        {
            builder.Append(",v1=").Append(ComputeSignature(secret, unix, payload));
        }

        return builder.ToString();
    }

    /// <summary>The lowercase hex <c>v1</c> signature of <paramref name="payload"/> signed at <paramref name="unixTimestamp"/>.</summary>
    public static string ComputeSignature(string secret, long unixTimestamp, ReadOnlySpan<byte> payload)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        Span<char> digits = stackalloc char[20];
        unixTimestamp.TryFormat(digits, out var length, provider: CultureInfo.InvariantCulture);
        Span<byte> hash = stackalloc byte[HMACSHA256.HashSizeInBytes];
        Compute(Encoding.UTF8.GetBytes(secret), digits[..length], payload, hash);
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>HMAC-SHA256(key, "{timestamp}." + payload) into <paramref name="destination"/>, using a pooled buffer.</summary>
    internal static void Compute(ReadOnlySpan<byte> key, ReadOnlySpan<char> timestampDigits, ReadOnlySpan<byte> payload, Span<byte> destination)
    {
        var length = timestampDigits.Length + 1 + payload.Length;
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var written = Encoding.ASCII.GetBytes(timestampDigits, buffer);
            buffer[written] = (byte)'.';
            payload.CopyTo(buffer.AsSpan(written + 1));
            HMACSHA256.HashData(key, buffer.AsSpan(0, length), destination);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
