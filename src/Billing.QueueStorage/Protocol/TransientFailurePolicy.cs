using System.Net;

namespace Billing.QueueStorage.Protocol;

/// <summary>Which failures are worth another attempt, how many attempts, and how long to wait between them.</summary>
internal static class TransientFailurePolicy
{
    /// <summary>Attempts per operation, the first included.</summary>
    public const int MaxAttempts = 3;

    /// <summary>Wait before the second attempt; each later wait is <see cref="BackoffMultiplier"/> times longer.</summary>
    public static readonly TimeSpan InitialBackoff = TimeSpan.FromMilliseconds(200);

    public const int BackoffMultiplier = 2;

    public static bool IsTransient(HttpStatusCode status) => status is
        HttpStatusCode.RequestTimeout or
        HttpStatusCode.InternalServerError or
        HttpStatusCode.BadGateway or
        HttpStatusCode.ServiceUnavailable or
        HttpStatusCode.GatewayTimeout;

    /// <summary>The wait after failed attempt number <paramref name="failedAttempt"/> (1-based).</summary>
    public static TimeSpan BackoffAfter(int failedAttempt) =>
        InitialBackoff * Math.Pow(BackoffMultiplier, failedAttempt - 1);
}
