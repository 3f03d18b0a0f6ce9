using System.Text.Json.Nodes;

namespace Billing.Cli.Invoices;

/// <summary>
/// Where the runs a <c>billing invoices run</c> queued stand after one look: each queued run is invoiced (recorded),
/// paid in full by prepaid credit (no invoice), nothing to bill, failed (its job landed in the poison queue after the
/// run started) or still waiting (queued or between steps). Runs of the month that were done before and were not
/// queued again count as already invoiced.
/// </summary>
public sealed record RunProgress
{
    public required int Total { get; init; }

    public required int Invoiced { get; init; }

    public required int NothingToBill { get; init; }

    /// <summary>Runs prepaid credit paid in full: done, with no Stripe invoice.</summary>
    public int CoveredByCredit { get; init; }

    public required int Failed { get; init; }

    public required int Waiting { get; init; }

    public required int AlreadyDone { get; init; }

    public required int Accounts { get; init; }

    /// <summary>
    /// Of <see cref="Invoiced"/>, the invoices recorded <c>void</c> (a subscription whose collection is paused with
    /// behavior void, or voided in Stripe before the run recorded it): they bill nobody and the credit they applied was
    /// given back, so neither is in <see cref="Totals"/> or <see cref="Credit"/>.
    /// </summary>
    public int Voided { get; init; }

    /// <summary>What the invoices this run created bill (their amount due, as on Stripe's invoices; a void one bills nothing): minor units per currency.</summary>
    public required IReadOnlyDictionary<string, long> Totals { get; init; }

    /// <summary>Prepaid credit the queued runs spent (on invoices and on periods it paid in full; a void invoice's was given back): minor units per currency.</summary>
    public IReadOnlyDictionary<string, long> Credit { get; init; } = new Dictionary<string, long>();

    public required IReadOnlyList<string> FailedRuns { get; init; }

    public required IReadOnlyList<string> WaitingRuns { get; init; }

    public static RunProgress Of(IReadOnlySet<string> queued, IReadOnlyDictionary<string, JsonNode> runs, IReadOnlySet<string> poisoned)
    {
        ArgumentNullException.ThrowIfNull(queued);
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(poisoned);
        var (invoiced, covered, nothing, failed, waiting) = (new List<JsonNode>(), new List<JsonNode>(), 0, new List<string>(), new List<string>());
        foreach (var runId in queued)
        {
            var step = runs.TryGetValue(runId, out var run) ? InvoicesCommand.Text(run["step"]) : null;
            switch (step)
            {
                case "recorded":
                    invoiced.Add(run!);
                    break;
                case "coveredByCredit": // done: prepaid credit paid it all
                    covered.Add(run!);
                    break;
                case "nothingToBill":
                    nothing++;
                    break;
                default:
                    (poisoned.Contains(runId) ? failed : waiting).Add(runId);
                    break;
            }
        }

        var billed = invoiced.Where(r => InvoicesCommand.Text(r["status"]) is not ("void" or "deleted")).ToList();
        var alreadyDone = runs.Where(r => !queued.Contains(r.Key) && InvoicesCommand.Text(r.Value["step"]) is "recorded" or "nothingToBill" or "coveredByCredit").ToList();
        return new RunProgress
        {
            Total = queued.Count,
            Invoiced = invoiced.Count,
            NothingToBill = nothing,
            CoveredByCredit = covered.Count,
            Voided = invoiced.Count - billed.Count,
            Failed = failed.Count,
            Waiting = waiting.Count,
            AlreadyDone = alreadyDone.Count,
            Accounts = queued.Select(AccountOf).Concat(alreadyDone.Select(r => AccountOf(r.Key))).Distinct(StringComparer.Ordinal).Count(),
            Totals = PerCurrency(billed, "amountDue"),
            Credit = PerCurrency([.. billed, .. covered], "creditApplied"),
            FailedRuns = [.. failed.Order(StringComparer.Ordinal)],
            WaitingRuns = [.. waiting.Order(StringComparer.Ordinal)],
        };
    }

    /// <summary>The sum of <paramref name="field"/> (minor units) per currency, leaving out currencies where it is 0.</summary>
    private static Dictionary<string, long> PerCurrency(IEnumerable<JsonNode> runs, string field) => runs
        .GroupBy(r => InvoicesCommand.Text(r["currency"]) ?? "?", StringComparer.Ordinal)
        .Select(g => (Currency: g.Key, Sum: g.Sum(r => (long?)r[field] ?? 0)))
        .Where(t => t.Sum != 0)
        .OrderBy(t => t.Currency, StringComparer.Ordinal)
        .ToDictionary(t => t.Currency, t => t.Sum, StringComparer.Ordinal);

    private static string AccountOf(string runId) => runId[..Math.Max(0, runId.LastIndexOf(':'))];
}
