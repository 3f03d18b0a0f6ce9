using Billing.Application.Usage;

namespace Billing.Application.Tests.Fakes;

/// <summary>Keeps every notification published; fails instead while <see cref="FailWith"/> is set.</summary>
internal sealed class RecordingBillingNotifications : IBillingNotifications
{
    private readonly Lock _gate = new();
    private readonly List<UsageThresholdReached> _sent = [];

    /// <summary>When set, publishing throws it and nothing is kept.</summary>
    public Exception? FailWith { get; set; }

    /// <summary>Publish calls, failed ones included.</summary>
    public int Attempts { get; private set; }

    public IReadOnlyList<UsageThresholdReached> Sent
    {
        get
        {
            lock (_gate)
            {
                return [.. _sent];
            }
        }
    }

    public Task PublishAsync(UsageThresholdReached notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        lock (_gate)
        {
            Attempts++;
            if (FailWith is { } failure)
            {
                throw failure;
            }

            _sent.Add(notification);
        }

        return Task.CompletedTask;
    }
}
