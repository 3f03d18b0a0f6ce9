using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Billing.Infrastructure.StripeApi.Webhooks;

/// <summary>Checks that a webhook request comes from Stripe: a <c>v1</c> signature of the raw body under one of the
/// configured secrets (constant-time compare), then a signed timestamp within the tolerance of now (both stale and
/// future timestamps are rejected). Expected failures are results, not exceptions. Thread-safe; register as a singleton.</summary>
public sealed class StripeWebhookVerifier
{
    private const int SignatureSize = HMACSHA256.HashSizeInBytes;
    private const int MaxTimestampDigits = 19;
    private readonly byte[][] secretKeys;
    private readonly long toleranceSeconds;
    private readonly TimeProvider timeProvider;

    /// <param name="secrets">The endpoint's signing secrets (<c>whsec_...</c>); a signature under any of them is accepted.</param>
    /// <param name="tolerance">How far the signed timestamp may be from now, in the past or the future.</param>
    /// <param name="timeProvider">The clock "now" is read from.</param>
    public StripeWebhookVerifier(IEnumerable<string> secrets, TimeSpan tolerance, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        ArgumentNullException.ThrowIfNull(timeProvider);
        var list = secrets.ToList();
        if (list.Count == 0 || list.Any(s => string.IsNullOrEmpty(s) || s.Any(char.IsWhiteSpace)))
        {
            throw new ArgumentException("At least one webhook signing secret is needed, and none may be empty or contain whitespace.", nameof(secrets));
        }

        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(tolerance, TimeSpan.Zero);
        secretKeys = list.Select(Encoding.UTF8.GetBytes).ToArray();
        toleranceSeconds = (long)tolerance.TotalSeconds;
        this.timeProvider = timeProvider;
    }

    /// <summary>Verifies the <c>Stripe-Signature</c> header against the raw request body, exactly as received.</summary>
    public WebhookVerificationResult Verify(ReadOnlySpan<byte> payload, string? signatureHeader)
    {
        if (string.IsNullOrWhiteSpace(signatureHeader))
        {
            return new(WebhookVerificationFailure.MissingHeader, null);
        }

        var header = signatureHeader.AsSpan();
        if (!TryFindTimestamp(header, out var timestampDigits, out var unixSeconds, out var hasV1) || !hasV1)
        {
            return new(WebhookVerificationFailure.MalformedHeader, null);
        }

        var timestamp = DateTimeOffset.FromUnixTimeSeconds(unixSeconds);
        var current = Math.Abs(timeProvider.GetUtcNow().ToUnixTimeSeconds() - unixSeconds) <= toleranceSeconds;
        var expectedLength = secretKeys.Length * SignatureSize;
        byte[]? rented = null;
        var expected = expectedLength <= 256
            ? stackalloc byte[expectedLength]
            : (rented = ArrayPool<byte>.Shared.Rent(expectedLength)).AsSpan(0, expectedLength);
        try
        {
            for (var i = 0; i < secretKeys.Length; i++)
            {
                StripeSignature.Compute(secretKeys[i], timestampDigits, payload, expected.Slice(i * SignatureSize, SignatureSize));
            }

            if (!AnyV1Matches(header, expected))
            {
                return new(WebhookVerificationFailure.NoMatchingSignature, timestamp, current);
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }

        return current
            ? new(WebhookVerificationFailure.None, timestamp, current)
            : new(WebhookVerificationFailure.TimestampOutsideTolerance, timestamp);
    }

    /// <summary>Finds the first <c>t=</c> item (digits only) and whether any <c>v1=</c> item is present.</summary>
    private static bool TryFindTimestamp(ReadOnlySpan<char> header, out ReadOnlySpan<char> digits, out long unixSeconds, out bool hasV1)
    {
        digits = default;
        unixSeconds = 0;
        hasV1 = false;
        var found = false;
        foreach (var range in header.Split(','))
        {
            var item = header[range].Trim();
            var separator = item.IndexOf('=');
            if (separator <= 0)
            {
                continue;
            }

            var key = item[..separator];
            var value = item[(separator + 1)..];
            if (key.SequenceEqual("v1"))
            {
                hasV1 = true;
            }
            else if (!found && key.SequenceEqual("t"))
            {
                if (value.IsEmpty || value.Length > MaxTimestampDigits || value.ContainsAnyExceptInRange('0', '9')
                    || !long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out unixSeconds)
                    || unixSeconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
                {
                    return false;
                }

                digits = value;
                found = true;
            }
        }

        return found;
    }

    /// <summary>Decodes each <c>v1</c> hex value to bytes and compares it in constant time with every expected signature.</summary>
    private static bool AnyV1Matches(ReadOnlySpan<char> header, ReadOnlySpan<byte> expected)
    {
        Span<byte> candidate = stackalloc byte[SignatureSize];
        var matched = false;
        foreach (var range in header.Split(','))
        {
            var item = header[range].Trim();
            if (item.Length != 3 + (SignatureSize * 2) || !item.StartsWith("v1="))
            {
                continue;
            }

            if (Convert.FromHexString(item[3..], candidate, out _, out var written) != OperationStatus.Done || written != SignatureSize)
            {
                continue;
            }

            for (var offset = 0; offset < expected.Length; offset += SignatureSize)
            {
                matched |= CryptographicOperations.FixedTimeEquals(candidate, expected.Slice(offset, SignatureSize));
            }
        }

        return matched;
    }
}
