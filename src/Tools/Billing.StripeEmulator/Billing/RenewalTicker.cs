namespace Billing.StripeEmulator.Billing;

/// <summary>Runs the renewal engine every second, so what falls due as real time passes happens without a clock advance.</summary>
internal sealed class RenewalTicker(RenewalEngine engine, TimeProvider time) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            engine.RunDue();
        }
    }
}
