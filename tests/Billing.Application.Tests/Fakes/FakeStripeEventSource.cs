using Billing.Application.StripeEvents;
using Billing.Application.StripeEvents.Recovery;

namespace Billing.Application.Tests.Fakes;

/// <summary>
/// Stripe's list of events in memory, filtered as Stripe filters it (created within the window, the types asked for, and
/// with <c>delivery_success=false</c> only those some endpoint has not received); remembers every listing asked for.
/// </summary>
internal sealed class FakeStripeEventSource : IStripeEventSource
{
    public const string PinnedApiVersion = "2026-10-28.endive";

    /// <summary>In any order: the port promises none.</summary>
    public List<NewStripeEvent> Events { get; } = [];

    /// <summary>Events every endpoint received (delivery_success true).</summary>
    public HashSet<string> Delivered { get; } = new(StringComparer.Ordinal);

    /// <summary>Every window asked for, in order.</summary>
    public List<(DateTimeOffset Since, DateTimeOffset Until, IReadOnlyCollection<string> Types, bool UndeliveredOnly)> Listings { get; } = [];

    /// <summary>The events read in all, as Stripe's pages would hand them out: a window holding too many is read only until that is known.</summary>
    public int Read { get; private set; }

    public string ReadableApiVersion => PinnedApiVersion;

    public static NewStripeEvent Event(string id, DateTimeOffset created, string type = "invoice.paid", string? apiVersion = PinnedApiVersion, string? payload = null) =>
        new() { Id = id, Type = type, Created = created, ApiVersion = apiVersion, Payload = payload ?? $$"""{"id":"{{id}}","type":"{{type}}"}""" };

    public Task<IReadOnlyList<NewStripeEvent>?> ListAsync(DateTimeOffset since, DateTimeOffset until, IReadOnlyCollection<string> types, bool undeliveredOnly, int maxEvents, CancellationToken cancellationToken)
    {
        Listings.Add((since, until, [.. types], undeliveredOnly));
        List<NewStripeEvent> listed =
            [.. Events.Where(e => e.Created.ToUnixTimeSeconds() >= since.ToUnixTimeSeconds() && e.Created.ToUnixTimeSeconds() <= until.ToUnixTimeSeconds() && types.Contains(e.Type) && !(undeliveredOnly && Delivered.Contains(e.Id)))];
        Read += (int)Math.Min(listed.Count, (long)maxEvents + 1);
        return Task.FromResult<IReadOnlyList<NewStripeEvent>?>(listed.Count > maxEvents ? null : listed);
    }
}
