using Billing.Application.Subscriptions;

namespace Billing.FunctionApp.Jobs;

/// <summary>
/// Timer trigger on <c>%MISSED_EVENT_SWEEP_SCHEDULE%</c> (hourly by default): re-reads from Stripe the accounts whose
/// period or trial end passed without a renewing event and corrects them, so a missed webhook never leaves an account
/// on a paid plan. Each run works through batches within <c>Billing:MissedEventSweep:TimeBudget</c> (below host.json's
/// <c>functionTimeout</c>), writing its position after each, and is safe to repeat.
/// </summary>
public sealed class MissedEventSweepFunction(MissedEventSweep sweep)
{
    [Function("MissedEventSweep")]
    public async Task Run([TimerTrigger("%MISSED_EVENT_SWEEP_SCHEDULE%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(timer);
        await sweep.RunAsync(cancellationToken).ConfigureAwait(false);
    }
}
