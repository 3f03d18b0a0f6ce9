using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.Options;

namespace Billing.FunctionApp.Http;

/// <summary>
/// Per-account limits on the functions marked <c>[EnableRateLimiting(RateLimitMiddleware.PerAccount)]</c> (those that
/// call Stripe: checkout, portal, trial, the purchase checkouts): one fixed window of
/// <see cref="RateLimitOptions.RequestsPerMinute"/> per account and minute shared by all of them, counted in this instance's memory (each scaled-out instance counts on its own). Over the limit:
/// 429 problem details with <c>Retry-After</c>. Runs after <see cref="AuthenticationMiddleware"/>, so the caller is known.
/// </summary>
internal sealed class RateLimitMiddleware(AccountRateLimiter limiter) : IFunctionsWorkerMiddleware
{
    public const string PerAccount = "per-account";

    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.GetHttpContext();
        if (http is null || FunctionMethods.Attribute<EnableRateLimitingAttribute>(context)?.PolicyName != PerAccount)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        using var lease = limiter.Acquire(CallerAccount.Of(http).Value);
        if (!lease.IsAcquired)
        {
            var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
            var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
            http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            http.Response.Headers.AccessControlExposeHeaders = "Retry-After"; // a browser page on another origin may read it
            context.GetInvocationResult().Value = Problems.Of(StatusCodes.Status429TooManyRequests, "Too many requests",
                $"This account may make at most {limiter.PermitsPerMinute} such requests a minute; try again in {seconds} s.", "rate_limited");
            return;
        }

        await next(context).ConfigureAwait(false);
    }
}

/// <summary>Section <c>Billing:RateLimits</c>.</summary>
public sealed class RateLimitOptions
{
    public const string SectionName = "Billing:RateLimits";

    /// <summary>Requests per account and minute to all rate-limited functions together, per instance.</summary>
    public int RequestsPerMinute { get; set; } = 20;
}

internal sealed class RateLimitOptionsValidator : IValidateOptions<RateLimitOptions>
{
    public ValidateOptionsResult Validate(string? name, RateLimitOptions options) =>
        options.RequestsPerMinute is >= 1 and <= 10_000
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"{RateLimitOptions.SectionName}:RequestsPerMinute must be between 1 and 10000; got {options.RequestsPerMinute}.");
}

/// <summary>One fixed-window limiter per account id; idle partitions are dropped by the limiter itself.</summary>
internal sealed class AccountRateLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;

    public AccountRateLimiter(IOptions<RateLimitOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        PermitsPerMinute = options.Value.RequestsPerMinute;
        _limiter = PartitionedRateLimiter.Create<string, string>(account => RateLimitPartition.GetFixedWindowLimiter(account, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = PermitsPerMinute,
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        }));
    }

    public int PermitsPerMinute { get; }

    public RateLimitLease Acquire(string accountId) => _limiter.AttemptAcquire(accountId);

    public void Dispose() => _limiter.Dispose();
}
