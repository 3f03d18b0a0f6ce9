using System.Text.Json.Serialization;

namespace Billing.Application.Operations;

/// <summary>
/// A poison queue the operator lists and replays through the admin endpoints (<c>?queue=</c>, <see cref="PoisonQueues"/>):
/// the Stripe events' or the invoice jobs' (adapters in <c>Billing.Infrastructure/Queues</c>).
/// </summary>
public interface IPoisonMessages
{
    /// <summary>The name the admin endpoints know the queue by, one of <see cref="PoisonQueueKinds"/> (not the configured queue name).</summary>
    string Kind { get; }

    /// <summary>The configured poison queue's name (<c>&lt;queue&gt;-poison</c>).</summary>
    string PoisonQueueName { get; }

    /// <summary>The first messages (at most <see cref="PoisonQueueKinds.MaxPeek"/>), each with what the store knows of its work.</summary>
    Task<PoisonListing> ListAsync(int max, CancellationToken cancellationToken);

    /// <summary>Moves the messages of the given ids (Stripe event ids, invoice run ids; every message when empty) back to the main queue.</summary>
    Task<PoisonReplayResult> ReplayAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken);
}

/// <summary>The poison queues the admin endpoints work on, by the name of their main queue's kind.</summary>
public static class PoisonQueueKinds
{
    /// <summary>The Stripe events queue (<c>STRIPE_EVENTS_QUEUE</c>): messages are selected by Stripe event id. The default.</summary>
    public const string StripeEvents = "stripe-events";

    /// <summary>The usage invoicing jobs queue (<c>INVOICE_JOBS_QUEUE</c>): messages are selected by run id (<c>{accountId}:{periodKey}</c>).</summary>
    public const string InvoiceJobs = "invoice-jobs";

    /// <summary>A listing shows at most this many messages (one peek of Azure Storage queues).</summary>
    public const int MaxPeek = 32;

    public static IReadOnlyList<string> All { get; } = [StripeEvents, InvoiceJobs];
}

/// <summary>The first messages of the poison queue (a peek shows at most 32) and the queue's approximate size.</summary>
public sealed record PoisonListing(string Queue, int ApproximateCount, IReadOnlyList<PoisonMessageView> Messages);

/// <summary>Messages moved back to the main queue, and requested ids (event ids, run ids) that were not in the poison queue.</summary>
public sealed record PoisonReplayResult(IReadOnlyList<ReplayedMessage> Replayed, IReadOnlyList<string> NotFound);

/// <summary>A message moved back: a Stripe event reference (<see cref="EventId"/>) or an invoice job (<see cref="RunId"/>, absent for Stripe events).</summary>
public sealed record ReplayedMessage(string MessageId, string? EventId)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? RunId { get; init; }
}
