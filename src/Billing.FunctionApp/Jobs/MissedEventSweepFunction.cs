using Billing.Application.Subscriptions;

namespace Billing.FunctionApp.Jobs;

/// <summary>
/// Timer trigger on <c>%MISSED_EVENT_SWEEP_SCHEDULE%</c> (hourly by default): re-reads from Stripe the accounts whose
/// period or trial end passed without a renewing event and corrects them, so a missed webhook never leaves an account
/// on a paid plan. Each run handles a bounded batch and is safe to repeat.
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
