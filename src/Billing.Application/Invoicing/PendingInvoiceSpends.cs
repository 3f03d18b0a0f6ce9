using Billing.Application.Credits;
using Billing.Application.Usage;
using Billing.Domain.Accounts;
using Billing.Domain.Metering;

namespace Billing.Application.Invoicing;

/// <summary>
/// The invoices that may still spend an account's credit as it stood when their period closed: every period with
/// usage that ended in the window and whose run has not spent yet (no run, or one still at
/// <see cref="InvoiceRunStep.Computed"/>). A run past that step has spent, or found nothing to bill, and never spends
/// again, so an expiry written once it has moved on takes nothing from it. A run that stays undecided (a job in the
/// poison queue) holds the credit until an operator replays it. The account's periods are read from its partition by
/// their end (one whose end moved later may have started well before the window), only those ending in the window, and
/// their runs with one more query: two requests however many periods the window holds (a grant's whole life, when an
/// expired grant is checked), where a point read per run made one per period.
/// </summary>
public sealed class PendingInvoiceSpends(IUsageLedger usage, IInvoiceRunStore runs) : IPendingCreditSpends
{
    public async Task<IReadOnlyList<DateTimeOffset>> ListAsync(AccountId accountId, DateTimeOffset from, DateTimeOffset before, CancellationToken cancellationToken) =>
        [.. (await ListInvoicesAsync(accountId, from, before, cancellationToken).ConfigureAwait(false)).Select(p => p.Counters.Period.End)];

    /// <summary>Those periods (ended in [<paramref name="from"/>, <paramref name="before"/>)), the earliest end first, each with its run if one is stored.</summary>
    public async Task<IReadOnlyList<PendingInvoice>> ListInvoicesAsync(AccountId accountId, DateTimeOffset from, DateTimeOffset before, CancellationToken cancellationToken)
    {
        var periods = await usage.ListEndedAsync(accountId, from, before, cancellationToken).ConfigureAwait(false);
        if (periods.Count == 0)
        {
            return [];
        }

        var stored = (await runs.GetManyAsync(accountId, [.. periods.Select(c => c.Period.Key)], cancellationToken).ConfigureAwait(false)).ToDictionary(r => r.PeriodKey);
        var owed = new List<PendingInvoice>();
        foreach (var counters in periods.OrderBy(c => c.Period.End))
        {
            var run = stored.GetValueOrDefault(counters.Period.Key);
            if (run is null || run.Step == InvoiceRunStep.Computed)
            {
                owed.Add(new PendingInvoice(counters, run));
            }
        }

        return owed;
    }
}

/// <summary>A closed period whose invoice has not spent yet: its counters, and its run once its job has priced it (still at <see cref="InvoiceRunStep.Computed"/>).</summary>
public sealed record PendingInvoice(UsageCounters Counters, InvoiceRun? Run);
