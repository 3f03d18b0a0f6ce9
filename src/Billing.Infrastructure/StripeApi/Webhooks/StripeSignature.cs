using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Billing.Infrastructure.StripeApi.Webhooks;

/// <summary>Computes Stripe webhook signatures: lowercase hex of HMAC-SHA256 with key = UTF-8 bytes of the whole
/// <c>whsec_...</c> secret over <c>"{t}." + raw body</c>, for the verifier. (Tests sign with TestSupport's StripeSigner.)</summary>
public static class StripeSignature
{
    public const string HeaderName = "Stripe-Signature";

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
