using Billing.Application.Invoicing;

namespace Billing.Application.Tests.Fakes;

/// <summary>
/// The <c>invoice-jobs</c> queue in memory: keeps every message as the queue would (its JSON text) and reads it back
/// the way the <c>InvoiceAccount</c> function does (<see cref="InvoiceJob.Parse"/>).
/// </summary>
internal sealed class RecordingInvoiceJobs : IInvoiceJobs
{
    private readonly Lock _gate = new();
    private readonly List<string> _messages = [];

    /// <summary>When set, <see cref="EnqueueAsync"/> throws it and queues nothing (from the <see cref="FailAfter"/>th message on, when that is set).</summary>
    public Exception? Failure { get; set; }

    /// <summary>How many messages are queued before <see cref="Failure"/> is thrown (a queue that goes away mid-run); null: at once.</summary>
    public int? FailAfter { get; set; }

    /// <summary>Every message queued, in order, as the queue holds it.</summary>
    public IReadOnlyList<string> Messages
    {
        get
        {
            lock (_gate)
            {
                return [.. _messages];
            }
        }
    }

    /// <summary>Every job queued, in order, as the function receives it.</summary>
    public IReadOnlyList<InvoiceJob> Jobs => [.. Messages.Select(InvoiceJob.Parse)];

    public Task EnqueueAsync(InvoiceJob job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        lock (_gate)
        {
            if (Failure is { } failure && (FailAfter is not { } after || _messages.Count >= after))
            {
                throw failure;
            }

            _messages.Add(job.ToJson());
        }

        return Task.CompletedTask;
    }

    /// <summary>Takes every queued message off the queue (what the function would receive next).</summary>
    public IReadOnlyList<InvoiceJob> Drain()
    {
        lock (_gate)
        {
            var jobs = _messages.Select(InvoiceJob.Parse).ToList();
            _messages.Clear();
            return jobs;
        }
    }
}
