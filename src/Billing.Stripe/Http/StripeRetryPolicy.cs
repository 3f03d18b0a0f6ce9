using System.Net;
using System.Security.Cryptography;

namespace Billing.Stripe.Http;

/// <summary>When and how long to wait before retrying, as Stripe's official libraries do.</summary>
internal static class StripeRetryPolicy
{
    public const string ShouldRetryHeader = "Stripe-Should-Retry";

    public static readonly TimeSpan InitialDelay = TimeSpan.FromMilliseconds(500);

    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(5);

    /// <summary>Retry a received response? <c>Stripe-Should-Retry</c> decides when present; otherwise 409 and 5xx.
    /// 429 is not retried.</summary>
    public static bool ShouldRetry(HttpResponseMessage response)
    {
        if (response.Headers.TryGetValues(ShouldRetryHeader, out var values))
        {
            var value = values.FirstOrDefault();
            if (string.Equals(value, "true", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }

            if (string.Equals(value, "false", StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }

        return response.StatusCode == HttpStatusCode.Conflict || (int)response.StatusCode >= 500;
    }

    /// <summary>Delay before retry <paramref name="retryNumber"/> (1-based): 500 ms * 2^(n-1), capped at 5 s,
    /// times <paramref name="jitter"/> in [0.75, 1), never under 500 ms.</summary>
    public static TimeSpan Delay(int retryNumber, double jitter)
    {
        var exponent = Math.Min(retryNumber - 1, 16);
        var delay = Math.Min(InitialDelay.TotalMilliseconds * Math.Pow(2, exponent), MaxDelay.TotalMilliseconds);
        delay *= jitter;
        return TimeSpan.FromMilliseconds(Math.Max(InitialDelay.TotalMilliseconds, delay));
    }

    /// <summary>A jitter factor in [0.75, 1).</summary>
    public static double NextJitter() => 0.75 + (RandomNumberGenerator.GetInt32(0, 1_000_000) / 4_000_000.0);
}
