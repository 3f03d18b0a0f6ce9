using Billing.Application.Outcomes;

namespace Billing.Application.Operations;

/// <summary>
/// Which poison messages to move back: those of <see cref="EventIds"/> (the Stripe events queue) or of
/// <see cref="RunIds"/> (the invoice jobs queue, <c>{accountId}:{periodKey}</c>), or every message with <see cref="All"/>.
/// </summary>
public sealed record PoisonReplaySelection(IReadOnlyList<string>? EventIds, IReadOnlyList<string>? RunIds, bool All);

/// <summary>
/// The operator's poison queues (<c>GET /api/billing/admin/poison</c>, <c>POST /api/billing/admin/poison/replay</c>):
/// lists one, or moves its messages back to the main queue, selected in that queue's terms (Stripe events by event
/// id, invoice jobs by run id) or all of them. <c>kind</c> is one of <see cref="PoisonQueueKinds.All"/>.
/// </summary>
public sealed class PoisonQueues(IEnumerable<IPoisonMessages> queues)
{
    /// <summary>The field an error about the selection as a whole names (the request body).</summary>
    public const string SelectionField = "$";

    /// <summary>The first messages of the queue (at most <paramref name="max"/>, up to <see cref="PoisonQueueKinds.MaxPeek"/>).</summary>
    public Task<PoisonListing> ListAsync(string kind, int max, CancellationToken cancellationToken) =>
        Queue(kind).ListAsync(max, cancellationToken);

    /// <summary>Moves the selected messages back; invalid when the selection is not in the queue's terms or says neither or both of ids and all.</summary>
    public async Task<Outcome<PoisonReplayResult>> ReplayAsync(string kind, PoisonReplaySelection selection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(selection);
        var queue = Queue(kind);
        var byRun = queue.Kind == PoisonQueueKinds.InvoiceJobs;
        var (selected, other, otherField) = byRun ? (selection.RunIds, selection.EventIds, "eventIds") : (selection.EventIds, selection.RunIds, "runIds");
        if (other is not null)
        {
            return Outcome.Invalid<PoisonReplayResult>(otherField, byRun
                ? "The invoice-jobs queue selects jobs by runIds ({accountId}:{periodKey})."
                : "Only for queue=invoice-jobs; Stripe events are selected by eventIds.");
        }

        var ids = selected?.Where(id => !string.IsNullOrWhiteSpace(id)).Distinct(StringComparer.Ordinal).ToList() ?? [];
        if ((ids.Count == 0) != selection.All)
        {
            return Outcome.Invalid<PoisonReplayResult>(SelectionField, byRun
                ? "Send {\"runIds\":[\"{accountId}:{periodKey}\"]} for selected jobs, or {\"all\":true} for every poison message (not both)."
                : "Send {\"eventIds\":[\"evt_...\"]} for selected events, or {\"all\":true} for every poison message (not both).");
        }

        return Outcome.Succeeded(await queue.ReplayAsync(ids, cancellationToken).ConfigureAwait(false));
    }

    private IPoisonMessages Queue(string kind) =>
        queues.FirstOrDefault(q => string.Equals(q.Kind, kind, StringComparison.Ordinal))
        ?? throw new ArgumentOutOfRangeException(nameof(kind), kind, $"Not one of {string.Join(", ", PoisonQueueKinds.All)}.");
}
