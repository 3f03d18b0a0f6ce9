namespace Billing.StripeEmulator.State;

/// <summary>
/// The in-memory state behind one lock. Reads and changes are short and synchronous; a change's events are
/// committed and handed to the <see cref="IEventSink"/> before the lock is released, so their order is global.
/// </summary>
internal sealed class EmulatorStore
{
    private readonly Lock _gate = new();
    private readonly EmulatorClock _clock;
    private readonly IEventSink _sink;
    private readonly Action<Mutation> _seed;
    private readonly string _publicBaseUrl;
    private EmulatorState _state;

    public EmulatorStore(EmulatorClock clock, IEventSink sink, Action<Mutation> seed, string publicBaseUrl)
    {
        _publicBaseUrl = publicBaseUrl;
        _state = new EmulatorState(publicBaseUrl);
        _clock = clock;
        _sink = sink;
        _seed = seed;
        Reset();
    }

    public T Read<T>(Func<EmulatorState, T> read)
    {
        lock (_gate)
        {
            return read(_state);
        }
    }

    public T Write<T>(RequestInfo request, Func<Mutation, T> change)
    {
        lock (_gate)
        {
            var mutation = new Mutation(_state, _clock.UnixNow(), request);
            var result = change(mutation);
            var events = mutation.Commit();
            if (events.Count > 0)
            {
                _sink.Publish(events);
            }

            return result;
        }
    }

    /// <summary>Forgets everything and seeds the configured catalog again (no events).</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _state = new EmulatorState(_publicBaseUrl);
            _seed(new Mutation(_state, _clock.UnixNow(), RequestInfo.Automatic));
        }
    }
}
