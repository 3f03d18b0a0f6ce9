using System.Text.Json.Nodes;
using Billing.StripeEmulator.State.Objects;
using Billing.StripeEmulator.Wire;

namespace Billing.StripeEmulator.State;

/// <summary>
/// One change to the state, made under the store's lock: carries the time the change happens at, the request that
/// caused it and the events it raises (published only when the change completes).
/// </summary>
internal sealed class Mutation
{
    private readonly List<EventRecord> _events = [];

    public Mutation(EmulatorState state, long now, RequestInfo request)
    {
        State = state;
        Now = now;
        Request = request;
    }

    public EmulatorState State { get; }

    /// <summary>Unix time of the change; the renewal engine moves it to each milestone it processes.</summary>
    public long Now { get; set; }

    public RequestInfo Request { get; }

    public IReadOnlyList<EventRecord> Events => _events;

    /// <summary>A position in this change's event list, to insert an event before ones raised later.</summary>
    public int Mark() => _events.Count;

    public EventRecord Emit(string type, JsonObject snapshot, JsonObject? previousAttributes = null) =>
        EmitAt(_events.Count, type, snapshot, previousAttributes);

    public EventRecord EmitAt(int position, string type, JsonObject snapshot, JsonObject? previousAttributes = null)
    {
        var record = new EventRecord
        {
            Id = IdGenerator.New("evt"),
            Type = type,
            Created = Now,
            DataObjectJson = snapshot.ToJsonString(StripeJson.Options),
            PreviousAttributesJson = previousAttributes?.ToJsonString(StripeJson.Options),
            Request = Request,
        };
        _events.Insert(position, record);
        return record;
    }

    internal IReadOnlyList<EventRecord> Commit()
    {
        foreach (var record in _events)
        {
            record.Sequence = State.NextSequence();
            State.Events.Add(record.Id, record);
            State.EventLog.Add(record);
        }

        return _events;
    }
}
