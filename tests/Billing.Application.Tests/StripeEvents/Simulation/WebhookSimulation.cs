using System.Globalization;
using Billing.Application.StripeEvents;
using Billing.Application.Tests.Fakes;
using Billing.Domain.Accounts;

namespace Billing.Application.Tests.StripeEvents.Simulation;

/// <summary>
/// Plays one scenario with a seeded random schedule: Stripe changes, webhook deliveries (repeated, reordered, failing
/// with 5xx so Stripe retries), queue deliveries (in any order, failing, retried, poisoned after
/// <see cref="MaxDequeueCount"/> attempts) and worker crashes at any port call, with other work interleaved between
/// the calls of an attempt as concurrent workers would. Then every fault is switched off, undelivered events are
/// delivered, poison messages replayed and the queue drained, as an operator would.
/// </summary>
internal sealed class WebhookSimulation
{
    public const int MaxDequeueCount = 5;

    private readonly Random _random;
    private readonly FaultPlan _faults;
    private readonly Queue<Action> _steps;
    private readonly List<StripeEventPayload> _outbox = [];
    private readonly List<InMemoryStripeEventQueue.QueuedMessage> _poison = [];
    private readonly HashSet<InMemoryStripeEventQueue.QueuedMessage> _inFlight = [];
    private readonly Order _webhookOrder;
    private readonly Order _queueOrder;
    private readonly int _deliveryWeight;
    private readonly int _processingWeight;
    private int _collected;
    private int _changeWeight = 1;

    /// <summary>How a run picks the next webhook or queue message: any, the newest first (reversing order) or the oldest first.</summary>
    private enum Order
    {
        Any,
        NewestFirst,
        OldestFirst,
    }

    public WebhookSimulation(int seed, SimulationScenario scenario)
    {
        _random = new Random(seed);
        _faults = new FaultPlan(_random) { CrashProbability = 0.04, InterleaveProbability = 0.12 };
        World = new WebhookWorld(_faults);
        State = new ScenarioState("acct-" + seed.ToString(CultureInfo.InvariantCulture), metadataOnSubscription: _random.Next(2) == 0);
        _steps = new Queue<Action>(scenario.Steps(World.Stripe, State));
        PreLinked = _random.Next(2) == 0;
        _webhookOrder = (Order)_random.Next(3);
        _queueOrder = (Order)_random.Next(3);
        _deliveryWeight = 1 + _random.Next(4);
        _processingWeight = 1 + _random.Next(4);
        _faults.Interleave = StepAsync;
    }

    public WebhookWorld World { get; }

    public ScenarioState State { get; }

    /// <summary>Whether the customer was linked before checkout (as the frontend's customer provisioning does).</summary>
    public bool PreLinked { get; }

    public int Crashes => _faults.Crashes;

    public int Interleavings => _faults.Interleavings;

    public int Poisoned { get; private set; }

    public int StripeRetries { get; private set; }

    public List<string> Trace { get; } = [];

    public async Task RunAsync()
    {
        for (var guard = 0; _steps.Count > 0 || _outbox.Count > 0 || Ready().Count > 0; guard++)
        {
            if (guard > 20_000)
            {
                throw new InvalidOperationException("The simulation does not settle.");
            }

            await StepAsync(0);
        }

        await DrainAsync();
    }

    private async Task StepAsync(int depth)
    {
        Collect();
        var ready = Ready();
        var choices = new List<Func<int, Task>>();
        for (var i = 0; i < _changeWeight && _steps.Count > 0; i++)
        {
            choices.Add(_ => ChangeStripe());
        }

        for (var i = 0; i < _deliveryWeight && _outbox.Count > 0; i++)
        {
            choices.Add(DeliverWebhookAsync);
        }

        for (var i = 0; i < _processingWeight && ready.Count > 0; i++)
        {
            choices.Add(DeliverQueueMessageAsync);
        }

        if (choices.Count == 0 && _steps.Count > 0)
        {
            choices.Add(_ => ChangeStripe()); // settled: Stripe's next change
        }

        if (choices.Count > 0)
        {
            await choices[_random.Next(choices.Count)](depth);
        }
    }

    private Task ChangeStripe()
    {
        var step = _steps.Dequeue();
        step();

        // Phases: until the next change, Stripe waits for the backlog to settle (0), keeps pace (1) or runs ahead (3).
        _changeWeight = _random.Next(3) switch { 0 => 0, 1 => 1, _ => 3 };
        if (PreLinked && State.CustomerId.Length > 0 && !World.Links.All.ContainsKey(State.CustomerId))
        {
            World.Links.LinkAsync(State.CustomerId, AccountId.Parse(State.AccountId), CancellationToken.None).GetAwaiter().GetResult();
        }

        Trace.Add($"stripe: step ({World.Stripe.Events.Count} events so far)");
        Collect();
        return Task.CompletedTask;
    }

    private async Task DeliverWebhookAsync(int depth)
    {
        if (_outbox.Count == 0)
        {
            return;
        }

        var stripeEvent = _outbox[Pick(_outbox.Count, _webhookOrder)];
        var deliverAgainLater = _random.NextDouble() < 0.25;
        try
        {
            var outcome = await _faults.RunAttemptAsync(depth, () => World.Ingest.IngestAsync(WebhookWorld.ToDelivery(stripeEvent), CancellationToken.None));
            Trace.Add($"webhook {stripeEvent.Id} {stripeEvent.Type}: 200 {outcome}");
            if (!deliverAgainLater)
            {
                _outbox.Remove(stripeEvent);
            }
        }
        catch (InjectedCrashException crash)
        {
            StripeRetries++;
            Trace.Add($"webhook {stripeEvent.Id} {stripeEvent.Type}: 5xx ({crash.Message})");
        }
    }

    private async Task DeliverQueueMessageAsync(int depth)
    {
        var ready = Ready();
        if (ready.Count == 0)
        {
            return;
        }

        var message = ready[Pick(ready.Count, _queueOrder)];
        _inFlight.Add(message);
        message.DequeueCount++;
        try
        {
            await _faults.RunAttemptAsync(depth, async () =>
            {
                await World.Processor.ProcessAsync(StripeEventQueueMessage.Parse(message.Text), message.DequeueCount, CancellationToken.None);
                return true;
            });
            World.Queue.Messages.Remove(message);
            Trace.Add($"queue {message.Text} attempt {message.DequeueCount}: done");
        }
        catch (Exception failure) when (failure is InjectedCrashException or StripeEventNotStoredException)
        {
            // Not stored yet: the ingest sends the message concurrently with the create (or the create failed and the
            // best-effort delete did not happen); the real queue delivers it again, as here.
            Trace.Add($"queue {message.Text} attempt {message.DequeueCount}: failed ({failure.Message})");
            if (message.DequeueCount >= MaxDequeueCount)
            {
                World.Queue.Messages.Remove(message);
                _poison.Add(message);
                Poisoned++;
            }
        }
        finally
        {
            _inFlight.Remove(message);
        }
    }

    private async Task DrainAsync()
    {
        _faults.CrashProbability = 0;
        _faults.InterleaveProbability = 0;
        Collect();
        foreach (var stripeEvent in _outbox)
        {
            await World.DeliverAsync(stripeEvent);
        }

        _outbox.Clear();
        foreach (var message in _poison)
        {
            message.DequeueCount = 0;
            World.Queue.Messages.Add(message);
        }

        Trace.Add($"drain: {_poison.Count} poison messages replayed, {World.Queue.Messages.Count} queued");
        _poison.Clear();
        await World.ProcessQueueAsync();

        // What the drain itself made Stripe raise (a duplicate canceled and refunded by a replayed event) is delivered too.
        for (Collect(); _outbox.Count > 0; Collect())
        {
            Trace.Add($"drain: {_outbox.Count} events Stripe raised during the drain delivered");
            foreach (var stripeEvent in _outbox.ToList())
            {
                _outbox.Remove(stripeEvent);
                await World.DeliverAsync(stripeEvent);
            }

            await World.ProcessQueueAsync();
        }
    }

    /// <summary>An index into a list kept in arrival order; biased orders still pick at random one time in four.</summary>
    private int Pick(int count, Order order) => order switch
    {
        _ when _random.Next(4) == 0 => _random.Next(count),
        Order.NewestFirst => count - 1,
        Order.OldestFirst => 0,
        _ => _random.Next(count),
    };

    private void Collect()
    {
        var events = World.Stripe.Events;
        for (; _collected < events.Count; _collected++)
        {
            _outbox.Add(events[_collected]);
        }
    }

    private List<InMemoryStripeEventQueue.QueuedMessage> Ready() =>
        World.Queue.Messages.Where(m => !_inFlight.Contains(m)).ToList();
}
