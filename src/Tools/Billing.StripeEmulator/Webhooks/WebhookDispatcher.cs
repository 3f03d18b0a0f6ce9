using Billing.StripeEmulator.Configuration;
using Billing.StripeEmulator.State;
using Billing.StripeEmulator.State.Objects;
using Microsoft.Extensions.Options;

namespace Billing.StripeEmulator.Webhooks;

/// <summary>
/// Delivers events to every endpoint from one background loop, in creation order, signed like Stripe. A failed
/// delivery (non-2xx, network error, timeout) is retried on the configured schedule while later events go on.
/// Test controls: hold and release (optionally reordered), duplicates, redelivery; every attempt is recorded.
/// </summary>
internal sealed partial class WebhookDispatcher : BackgroundService, IEventSink
{
    private readonly Lock _gate = new();
    private readonly PriorityQueue<DeliveryJob, (long Due, long Order)> _queue = new();
    private readonly List<DeliveryJob> _held = [];
    private readonly Dictionary<string, List<DeliveryAttempt>> _attempts = new(StringComparer.Ordinal);
    private readonly HashSet<(string EventId, string EndpointId)> _delivered = [];
    private readonly SemaphoreSlim _wake = new(0);
    private readonly SemaphoreSlim _sending = new(1, 1);
    private readonly WebhookEndpointRegistry _endpoints;
    private readonly WebhookSender _sender;
    private readonly TimeProvider _time;
    private readonly ILogger<WebhookDispatcher> _logger;
    private readonly IReadOnlyList<TimeSpan> _retrySchedule;
    private long _order;
    private long _generation;
    private bool _holding;
    private bool _duplicates;

    public WebhookDispatcher(WebhookEndpointRegistry endpoints, WebhookSender sender, IOptions<EmulatorOptions> options, TimeProvider time, ILogger<WebhookDispatcher> logger)
    {
        _endpoints = endpoints;
        _sender = sender;
        _time = time;
        _logger = logger;
        _retrySchedule = RetrySchedule.Parse(options.Value.WebhookRetrySchedule);
    }

    public bool Holding
    {
        get
        {
            lock (_gate)
            {
                return _holding;
            }
        }
    }

    public bool Duplicates
    {
        get
        {
            lock (_gate)
            {
                return _duplicates;
            }
        }
    }

    public void Publish(IReadOnlyList<EventRecord> events)
    {
        var endpoints = _endpoints.All;
        lock (_gate)
        {
            foreach (var record in events)
            {
                record.SetPendingWebhooks(endpoints.Count);
                foreach (var endpoint in endpoints)
                {
                    EnqueueLocked(new DeliveryJob(record, endpoint, 1, _generation, DeliveryKind.Original), NowMs());
                    if (_duplicates)
                    {
                        EnqueueLocked(new DeliveryJob(record, endpoint, 1, _generation, DeliveryKind.Duplicate), NowMs());
                    }
                }
            }
        }

        _wake.Release();
    }

    /// <summary>Sends the event again to every endpoint (or the one with <paramref name="endpointUrl"/>); returns how many.</summary>
    public int Redeliver(EventRecord record, Uri? endpointUrl)
    {
        var endpoints = _endpoints.All.Where(e => endpointUrl is null || e.Url == endpointUrl).ToList();
        lock (_gate)
        {
            foreach (var endpoint in endpoints)
            {
                EnqueueLocked(new DeliveryJob(record, endpoint, 1, _generation, DeliveryKind.Redelivery), NowMs());
            }
        }

        _wake.Release();
        return endpoints.Count;
    }

    public void Hold()
    {
        lock (_gate)
        {
            _holding = true;
        }
    }

    /// <summary>Stops holding; the held deliveries go out now in the chosen order. Returns how many were held.</summary>
    public int Release(ReleaseOrder order, int? seed)
    {
        int count;
        lock (_gate)
        {
            var now = NowMs();
            while (_holding && _queue.TryPeek(out var due, out var priority) && priority.Due <= now)
            {
                // due while holding, but not yet set aside by the sending loop (it was busy sending): held all the same
                _queue.Dequeue();
                _held.Add(due);
            }

            _holding = false;
            IEnumerable<DeliveryJob> ordered = order switch
            {
                ReleaseOrder.Reverse => Enumerable.Reverse(_held),
                ReleaseOrder.Shuffle => Shuffled(_held, seed),
                _ => _held,
            };
            foreach (var job in ordered.ToList())
            {
                EnqueueLocked(job with { Generation = _generation }, now);
            }

            count = _held.Count;
            _held.Clear();
        }

        _wake.Release();
        return count;
    }

    public void SetDuplicates(bool enabled)
    {
        lock (_gate)
        {
            _duplicates = enabled;
        }
    }

    public IReadOnlyList<DeliveryAttempt> AttemptsFor(string eventId)
    {
        lock (_gate)
        {
            return _attempts.TryGetValue(eventId, out var attempts) ? [.. attempts] : [];
        }
    }

    /// <summary>Drops everything queued, held or recorded, then waits for a delivery in flight to finish.</summary>
    public async Task ResetAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _queue.Clear();
            _held.Clear();
            _attempts.Clear();
            _delivered.Clear();
            _holding = false;
            _duplicates = false;
            _generation++;
        }

        await _sending.WaitAsync(cancellationToken);
        _sending.Release();
    }

    public override void Dispose()
    {
        _wake.Dispose();
        _sending.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var (job, wait) = TakeDue();
            if (job is null)
            {
                if (wait == TimeSpan.Zero)
                {
                    continue;
                }

                try
                {
                    await _wake.WaitAsync(wait, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                continue;
            }

            await _sending.WaitAsync(stoppingToken);
            try
            {
                // A reset between taking the job and getting here drops it.
                if (IsCurrent(job))
                {
                    await DeliverAsync(job, stoppingToken);
                }
            }
            finally
            {
                _sending.Release();
            }
        }
    }

    private static List<DeliveryJob> Shuffled(List<DeliveryJob> jobs, int? seed)
    {
#pragma warning disable CA5394 // A seeded, reproducible shuffle for tests: no security involved.
        var random = seed is null ? new Random() : new Random(seed.Value);
        var copy = jobs.ToArray();
        random.Shuffle(copy);
#pragma warning restore CA5394
        return [.. copy];
    }

    /// <summary>The next due job, or how long to sleep (zero: look again at once).</summary>
    private (DeliveryJob? Job, TimeSpan Wait) TakeDue()
    {
        lock (_gate)
        {
            if (!_queue.TryPeek(out var next, out var priority))
            {
                return (null, Timeout.InfiniteTimeSpan);
            }

            var now = NowMs();
            if (priority.Due > now)
            {
                return (null, TimeSpan.FromMilliseconds(priority.Due - now));
            }

            _queue.Dequeue();
            if (_holding)
            {
                _held.Add(next);
                return (null, TimeSpan.Zero);
            }

            return (next, TimeSpan.Zero);
        }
    }

    private async Task DeliverAsync(DeliveryJob job, CancellationToken cancellationToken)
    {
        var result = await _sender.SendAsync(job.Event, job.Endpoint, cancellationToken);
        Record(job, result.StatusCode, result.Error, result.DurationMs, result.Succeeded);
    }

    private void Record(DeliveryJob job, int? status, string? error, long durationMs, bool succeeded)
    {
        long? nextRetryAt = null;
        lock (_gate)
        {
            var current = job.Generation == _generation;
            if (!succeeded && current && job.Attempt <= _retrySchedule.Count)
            {
                var due = NowMs() + (long)_retrySchedule[job.Attempt - 1].TotalMilliseconds;
                EnqueueLocked(job with { Attempt = job.Attempt + 1 }, due);
                nextRetryAt = due / 1000;
            }

            if (!current)
            {
                return;
            }

            if (!_attempts.TryGetValue(job.Event.Id, out var attempts))
            {
                attempts = [];
                _attempts[job.Event.Id] = attempts;
            }

            attempts.Add(new DeliveryAttempt(
                job.Endpoint.Id,
                job.Endpoint.Url.ToString(),
                job.Attempt,
                job.Kind.ToString().ToLowerInvariant(),
                _time.GetUtcNow().ToUnixTimeSeconds(),
                status,
                error,
                durationMs,
                succeeded,
                nextRetryAt));
            if (succeeded && _delivered.Add((job.Event.Id, job.Endpoint.Id)))
            {
                job.Event.DeliveredToOneEndpoint();
            }
        }

        if (nextRetryAt is not null)
        {
            _wake.Release();
        }

        if (succeeded)
        {
            LogDelivered(job.Event.Id, job.Event.Type, job.Endpoint.Url, job.Attempt, status ?? 0);
        }
        else if (nextRetryAt is not null)
        {
            LogRetrying(job.Event.Id, job.Event.Type, job.Endpoint.Url, job.Attempt, status, error);
        }
        else
        {
            LogGaveUp(job.Event.Id, job.Event.Type, job.Endpoint.Url, job.Attempt, status, error);
        }
    }

    private bool IsCurrent(DeliveryJob job)
    {
        lock (_gate)
        {
            return job.Generation == _generation;
        }
    }

    private void EnqueueLocked(DeliveryJob job, long dueMs) => _queue.Enqueue(job, (dueMs, ++_order));

    private long NowMs() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    [LoggerMessage(Level = LogLevel.Information, Message = "Delivered {EventId} ({EventType}) to {Url} on attempt {Attempt}: {StatusCode}")]
    private partial void LogDelivered(string eventId, string eventType, Uri url, int attempt, int statusCode);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivery of {EventId} ({EventType}) to {Url} failed on attempt {Attempt} (status {StatusCode}, {Error}); will retry")]
    private partial void LogRetrying(string eventId, string eventType, Uri url, int attempt, int? statusCode, string? error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Delivery of {EventId} ({EventType}) to {Url} failed on attempt {Attempt} (status {StatusCode}, {Error}); giving up")]
    private partial void LogGaveUp(string eventId, string eventType, Uri url, int attempt, int? statusCode, string? error);
}
