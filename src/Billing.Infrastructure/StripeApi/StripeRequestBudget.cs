using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Billing.Infrastructure.StripeApi;

/// <summary>
/// The one budget of requests per second to Stripe for the whole process (<see cref="StripeOptions.RequestsPerSecondForKey"/>:
/// <see cref="StripeOptions.RequestsPerSecond"/>, or <see cref="StripeOptions.TestModeRequestsPerSecond"/> with a test-mode key),
/// a singleton <see cref="TokenBucketRateLimiter"/> that <see cref="StripeRequestBudgetHandler"/> draws from for every
/// attempt on the <c>Stripe</c> HttpClient. Tokens come back one at a time, evenly spread over each second; the bucket
/// holds a tenth of a second's requests (at least one), so a process that was idle sends at most that many at once and
/// no one-second window sees more than <c>RequestsPerSecond</c> plus that (22 at the default of 20, under Stripe's 25
/// in test mode). Waiters queue, oldest first, without a limit: a request is delayed, never refused, until its
/// cancellation token (the caller's, or the attempt's timeout) gives up.
/// </summary>
public sealed class StripeRequestBudget : IDisposable
{
    private readonly TokenBucketRateLimiter _limiter;

    public StripeRequestBudget(IOptions<StripeOptions> options)
        : this(RequestsPerSecondOf(options), BurstFor(RequestsPerSecondOf(options)))
    {
    }

    /// <summary>A budget of <paramref name="requestsPerSecond"/> (fractions allowed, for tests) holding at most <paramref name="burst"/> requests.</summary>
    internal StripeRequestBudget(double requestsPerSecond, int burst)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(requestsPerSecond);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(burst);
        RequestsPerSecond = requestsPerSecond;
        Burst = burst;
        _limiter = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = burst,
            TokensPerPeriod = 1,
            ReplenishmentPeriod = TimeSpan.FromTicks((long)Math.Round(TimeSpan.TicksPerSecond / requestsPerSecond)),
            AutoReplenishment = true,
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
    }

    public double RequestsPerSecond { get; }

    /// <summary>The most requests sent at once after a pause (the bucket's size).</summary>
    public int Burst { get; }

    /// <summary>Requests that may go now without waiting.</summary>
    internal long AvailableNow => _limiter.GetStatistics()?.CurrentAvailablePermits ?? 0;

    /// <summary>Requests waiting for the budget.</summary>
    internal long Waiting => _limiter.GetStatistics()?.CurrentQueuedCount ?? 0;

    /// <summary>Waits for one request's share of the budget; throws <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> is cancelled first.</summary>
    public ValueTask<RateLimitLease> AcquireAsync(CancellationToken cancellationToken) => _limiter.AcquireAsync(1, cancellationToken);

    /// <summary>A tenth of a second's requests, at least one.</summary>
    internal static int BurstFor(int requestsPerSecond) => Math.Max(1, requestsPerSecond / 10);

    public void Dispose() => _limiter.Dispose();

    private static int RequestsPerSecondOf(IOptions<StripeOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Value.RequestsPerSecondForKey;
    }
}
