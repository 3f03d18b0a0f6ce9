using System.Text.Json.Nodes;

namespace Billing.Cli.Invoices;

/// <summary>
/// Where the runs a <c>billing invoices run</c> queued stand after one look: each queued run is invoiced (recorded),
/// nothing to bill, failed (its job landed in the poison queue after the run started) or still waiting (queued or
/// between steps). Runs of the month that were done before and were not queued again count as already invoiced.
/// </summary>
public sealed record RunProgress
{
    public required int Total { get; init; }

    public required int Invoiced { get; init; }

    public required int NothingToBill { get; init; }

    public required int Failed { get; init; }

    public required int Waiting { get; init; }

    public required int AlreadyDone { get; init; }

    public required int Accounts { get; init; }

    /// <summary>The invoices this run created: minor units per currency.</summary>
    public required IReadOnlyDictionary<string, long> Totals { get; init; }

    public required IReadOnlyList<string> FailedRuns { get; init; }

    public required IReadOnlyList<string> WaitingRuns { get; init; }

    public static RunProgress Of(IReadOnlySet<string> queued, IReadOnlyDictionary<string, JsonNode> runs, IReadOnlySet<string> poisoned)
    {
        ArgumentNullException.ThrowIfNull(queued);
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(poisoned);
        var (invoiced, nothing, failed, waiting) = (new List<JsonNode>(), 0, new List<string>(), new List<string>());
        foreach (var runId in queued)
        {
            var step = runs.TryGetValue(runId, out var run) ? InvoicesCommand.Text(run["step"]) : null;
            switch (step)
            {
                case "recorded":
                    invoiced.Add(run!);
                    break;
                case "nothingToBill" or "coveredByCredit": // done: nothing left to invoice, or prepaid credit paid it all
                    nothing++;
                    break;
                default:
                    (poisoned.Contains(runId) ? failed : waiting).Add(runId);
                    break;
            }
        }

        var alreadyDone = runs.Where(r => !queued.Contains(r.Key) && InvoicesCommand.Text(r.Value["step"]) is "recorded" or "nothingToBill" or "coveredByCredit").ToList();
        return new RunProgress
        {
            Total = queued.Count,
            Invoiced = invoiced.Count,
            NothingToBill = nothing,
            Failed = failed.Count,
            Waiting = waiting.Count,
            AlreadyDone = alreadyDone.Count,
            Accounts = queued.Select(AccountOf).Concat(alreadyDone.Select(r => AccountOf(r.Key))).Distinct(StringComparer.Ordinal).Count(),
            Totals = invoiced
                .GroupBy(r => InvoicesCommand.Text(r["currency"]) ?? "?", StringComparer.Ordinal)
                .OrderBy(g => g.Key, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Sum(r => (long?)r["total"] ?? 0), StringComparer.Ordinal),
            FailedRuns = [.. failed.Order(StringComparer.Ordinal)],
            WaitingRuns = [.. waiting.Order(StringComparer.Ordinal)],
        };
    }

    private static string AccountOf(string runId) => runId[..Math.Max(0, runId.LastIndexOf(':'))];
}
