using Billing.Domain.Accounts;
using Billing.Domain.Entitlements;
using Billing.Domain.Plans;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Billing.Application.Usage;

/// <summary>
/// Sends one <see cref="UsageThresholdReached"/> per account, meter, period and threshold once the counter reaches
/// the threshold's share of the hard limit or the included units. The threshold is first marked on the period's
/// counters (a conditional write only one caller wins), then the message is queued; when queueing fails, or the mark's
/// own answer is lost or cancelled, the mark is cleared again, so the next count of that meter (or, at a hard limit, the
/// next refused attempt; or a retry of the record, answered as a replay) sends it. Usage is
/// never refused because a notification failed.
/// </summary>
public sealed partial class UsageThresholds(
    IUsageLedger ledger,
    IBillingNotifications notifications,
    IOptions<UsageOptions> options,
    ILogger<UsageThresholds> logger)
{
    /// <summary>The counter value at which <paramref name="percent"/> of <paramref name="limit"/> is reached (at least 1).</summary>
    public static long ReachedAt(long limit, int percent) => (long)Int128.Max(Int128.One, (((Int128)limit * percent) + 99) / 100); // exact for any quota

    /// <summary>
    /// Sends the thresholds <paramref name="result"/>'s counter reached of <paramref name="limit"/>: the hard limit, or the
    /// included units the count recorded (with what add-ons that lapsed covered); null (unlimited): none.
    /// </summary>
    public async Task NotifyAsync(AccountId accountId, Entitlement entitlement, MeterPolicy policy, long? limit, UsageConsumeResult result, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entitlement);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(result);
        if (limit is not { } quota)
        {
            return;
        }

        foreach (var percent in options.Value.EffectiveThresholds)
        {
            if (result.Counter < ReachedAt(quota, percent) || result.NotifiedThresholds.Contains(percent))
            {
                continue;
            }

            // Cancelled before the mark is sent: nothing to clear (clearing could remove another caller's mark).
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                if (!await ledger.TryMarkThresholdAsync(accountId, entitlement.PeriodKey, policy.Meter, percent, cancellationToken).ConfigureAwait(false))
                {
                    continue;
                }
            }
#pragma warning disable CA1031 // The usage is recorded; a failed mark only means a later count sends the notification.
            catch (Exception exception) when (exception is not OperationCanceledException)
#pragma warning restore CA1031
            {
                // The write may have been applied with its answer lost (a timeout, a dropped connection): a mark left
                // standing would keep every later count from sending it. A refusal (unavailable, not timed out) did nothing.
                LogNotSent(exception, accountId.Value, entitlement.PeriodKey.Value, policy.Meter.Value, percent);
                if (exception is not ServiceUnavailableException { MayHaveBeenDone: false })
                {
                    await ClearAsync(accountId, entitlement, policy, percent).ConfigureAwait(false);
                }

                continue;
            }
            catch (OperationCanceledException)
            {
                // Cancelled (the caller went away, the host is stopping) perhaps after the mark was written; the usage
                // is counted, and neither the next count nor a retry of this one (a replay) could send it past a mark
                // left behind.
                await ClearAsync(accountId, entitlement, policy, percent).ConfigureAwait(false);
                throw;
            }

            var notification = new UsageThresholdReached
            {
                Id = $"usage-threshold:{accountId}:{entitlement.PeriodKey}:{policy.Meter}:{percent}",
                AccountId = accountId.Value,
                Meter = policy.Meter.Value,
                Threshold = percent,
                Used = result.Counter,
                Limit = quota,
                HardLimit = policy.HardLimit is not null,
                Plan = entitlement.Plan.Code.Value,
                PeriodKey = entitlement.PeriodKey.Value,
                PeriodStart = entitlement.PeriodStart,
                PeriodEnd = entitlement.PeriodEnd,
                OccurredAt = now,
            };
            try
            {
                await notifications.PublishAsync(notification, cancellationToken).ConfigureAwait(false);
                LogSent(policy.Meter.Value, percent);
            }
#pragma warning disable CA1031 // See above: the mark is cleared so the next count retries.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                LogNotSent(exception, accountId.Value, entitlement.PeriodKey.Value, policy.Meter.Value, percent);
                await ClearAsync(accountId, entitlement, policy, percent).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
            }
        }
    }

    private async Task ClearAsync(AccountId accountId, Entitlement entitlement, MeterPolicy policy, int percent)
    {
        try
        {
            await ledger.UnmarkThresholdAsync(accountId, entitlement.PeriodKey, policy.Meter, percent, CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031
        catch (Exception exception)
#pragma warning restore CA1031
        {
            LogNotCleared(exception, accountId.Value, entitlement.PeriodKey.Value, policy.Meter.Value, percent);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Usage of {Meter} reached {Percent}%: notification queued")]
    private partial void LogSent(string meter, int percent);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The {Percent}% notification for {Meter} of account {AccountId} (period {PeriodKey}) could not be sent; the next count retries it")]
    private partial void LogNotSent(Exception exception, string accountId, string periodKey, string meter, int percent);

    [LoggerMessage(Level = LogLevel.Error, Message = "The {Percent}% notification for {Meter} of account {AccountId} (period {PeriodKey}) was not sent and its mark could not be cleared: it will not be sent this period")]
    private partial void LogNotCleared(Exception exception, string accountId, string periodKey, string meter, int percent);
}
