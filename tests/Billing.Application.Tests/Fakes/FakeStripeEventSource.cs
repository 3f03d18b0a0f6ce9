using Billing.Application.StripeEvents;
using Billing.Application.StripeEvents.Recovery;

namespace Billing.Application.Tests.Fakes;

/// <summary>
/// Stripe's list of events in memory, filtered as Stripe filters it (created since, the types asked for, and with
/// <c>delivery_success=false</c> only those some endpoint has not received); remembers every listing asked for.
/// </summary>
internal sealed class FakeStripeEventSource : IStripeEventSource
{
    public const string PinnedApiVersion = "2026-10-28.endive";

    /// <summary>Oldest first, as the port answers.</summary>
    public List<NewStripeEvent> Events { get; } = [];

    /// <summary>Events every endpoint received (delivery_success true).</summary>
    public HashSet<string> Delivered { get; } = new(StringComparer.Ordinal);

    public List<(DateTimeOffset Since, IReadOnlyCollection<string> Types, bool UndeliveredOnly)> Listings { get; } = [];

    public string ReadableApiVersion => PinnedApiVersion;

    public static NewStripeEvent Event(string id, DateTimeOffset created, string type = "invoice.paid", string? apiVersion = PinnedApiVersion, string? payload = null) =>
        new() { Id = id, Type = type, Created = created, ApiVersion = apiVersion, Payload = payload ?? $$"""{"id":"{{id}}","type":"{{type}}"}""" };

    public Task<IReadOnlyList<NewStripeEvent>> ListAsync(DateTimeOffset since, IReadOnlyCollection<string> types, bool undeliveredOnly, CancellationToken cancellationToken)
    {
        Listings.Add((since, [.. types], undeliveredOnly));
        IReadOnlyList<NewStripeEvent> listed =
            [.. Events.Where(e => e.Created.ToUnixTimeSeconds() >= since.ToUnixTimeSeconds() && types.Contains(e.Type) && !(undeliveredOnly && Delivered.Contains(e.Id)))];
        return Task.FromResult(listed);
    }
}
