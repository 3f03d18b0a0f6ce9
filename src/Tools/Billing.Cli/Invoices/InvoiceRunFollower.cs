using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Billing.Cli.Admin;

namespace Billing.Cli.Invoices;

/// <summary>
/// Follows the jobs a run queued until each is recorded, has nothing to bill or failed (its job is in
/// <c>invoice-jobs-poison</c>, put there after the run started), or the time is up: every poll reads the month's runs
/// (every page) and, while some are waiting, the poison listing (its first 32 messages). Then writes the summary; the
/// exit code is <see cref="ExitCodes.Failed"/> when a job failed or did not finish.
/// </summary>
internal sealed class InvoiceRunFollower(AdminApiClient client, TextWriter output, TextWriter error, ProgressLine progress, TimeSpan pollInterval, TimeSpan timeout)
{
    private const int PageSize = 500;
    private const int PoisonPeek = 32;

    private bool _toldPoisonFull;
    private bool _toldIncomplete;

    public async Task<int> FollowAsync(JsonNode started, string? accountId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(started);
        var period = InvoicesCommand.Text(started["period"]) ?? throw new InvalidOperationException("The run's answer has no period.");
        var startedAt = DateTimeOffset.Parse(InvoicesCommand.Text(started["startedAt"]) ?? throw new InvalidOperationException("The run's answer has no startedAt."), CultureInfo.InvariantCulture);
        var queued = (started["queued"]?.AsArray() ?? []).Select(q => InvoicesCommand.Text(q?["runId"])).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var notClosed = (int?)started["notClosedYet"] ?? 0;
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"Invoicing {period}{(accountId is null ? "" : $" for {accountId}")}: {queued.Count} closed {(queued.Count == 1 ? "period" : "periods")} queued{(notClosed > 0 ? $", {notClosed} not closed yet (not queued)" : "")}.")).ConfigureAwait(false);

        var clock = Stopwatch.StartNew();
        RunProgress state;
        while (true)
        {
            var runs = await ListRunsAsync(period, accountId, cancellationToken).ConfigureAwait(false);
            if (runs is null)
            {
                return await LostAsync(queued).ConfigureAwait(false);
            }

            state = RunProgress.Of(queued, runs, new HashSet<string>(StringComparer.Ordinal));
            if (state.Waiting > 0)
            {
                var poisoned = await PoisonedAsync(startedAt, cancellationToken).ConfigureAwait(false);
                if (poisoned is null)
                {
                    return await LostAsync(queued).ConfigureAwait(false);
                }

                state = RunProgress.Of(queued, runs, poisoned);
            }

            await progress.ShowAsync(state).ConfigureAwait(false);
            if (state.Waiting == 0 || clock.Elapsed >= timeout)
            {
                break;
            }

            await Task.Delay(pollInterval, cancellationToken).ConfigureAwait(false);
        }

        await progress.EndAsync().ConfigureAwait(false);
        await WriteSummaryAsync(period, state, clock.Elapsed).ConfigureAwait(false);
        return state.Failed + state.Waiting > 0 ? ExitCodes.Failed : ExitCodes.Success;
    }

    /// <summary>
    /// A look at the runs failed (its error is written): the jobs were queued and go on in the app, so this is a failed
    /// follow (<see cref="ExitCodes.Failed"/>), never "could not be reached, nothing was done" (<see cref="ExitCodes.Unreachable"/>).
    /// </summary>
    private async Task<int> LostAsync(HashSet<string> queued)
    {
        await progress.EndAsync().ConfigureAwait(false);
        if (queued.Count > 0)
        {
            var first = queued.Order(StringComparer.Ordinal).First();
            await BillingCli.WriteErrorAsync(error, string.Create(CultureInfo.InvariantCulture,
                $"Stopped following: the {queued.Count} queued {(queued.Count == 1 ? "job goes" : "jobs go")} on in the app. See where each stands with 'billing invoices show {first}'.")).ConfigureAwait(false);
        }

        return ExitCodes.Failed;
    }

    private async Task WriteSummaryAsync(string period, RunProgress state, TimeSpan elapsed)
    {
        var lines = new List<string>
        {
            $"Invoicing {period}: {state.Accounts} {(state.Accounts == 1 ? "account" : "accounts")} with a run this month, {elapsed.TotalSeconds:0.0} s",
            $"  invoices created  {state.Invoiced}{(state.Voided > 0 ? $" ({state.Voided} void or deleted: billing nothing, credit given back)" : "")}",
            $"  total             {Amounts(state.Totals)}",
            $"  prepaid credit    {Amounts(state.Credit)}{(state.CoveredByCredit > 0 ? $" (paid {state.CoveredByCredit} period(s) in full: no invoice)" : "")}",
            $"  skipped           {state.NothingToBill + state.AlreadyDone} (nothing to bill {state.NothingToBill}, already invoiced before {state.AlreadyDone})",
            $"  failed            {state.Failed}{(state.Failed > 0 ? $" (in invoice-jobs-poison; see 'billing admin poison list --queue invoice-jobs'): {string.Join(", ", state.FailedRuns.Take(20))}" : "")}",
        };
        if (state.Waiting > 0)
        {
            lines.Add($"  not finished      {state.Waiting} after {timeout.TotalSeconds:0} s: {string.Join(", ", state.WaitingRuns.Take(20))}");
        }

        foreach (var line in lines)
        {
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{line}")).ConfigureAwait(false);
        }
    }

    private static string Amounts(IReadOnlyDictionary<string, long> amounts) =>
        amounts.Count == 0 ? "nothing" : string.Join(", ", amounts.Select(t => InvoicesCommand.Amount(t.Value, t.Key)));

    /// <summary>Every run of the month (all pages), by run id; null when a page could not be read (its error is written).</summary>
    private async Task<Dictionary<string, JsonNode>?> ListRunsAsync(string period, string? accountId, CancellationToken cancellationToken)
    {
        var runs = new Dictionary<string, JsonNode>(StringComparer.Ordinal);
        string? cursor = null;
        do
        {
            var path = string.Create(CultureInfo.InvariantCulture, $"{InvoicesCommand.RunsPath}?period={Uri.EscapeDataString(period)}&limit={PageSize}")
                       + (accountId is null ? "" : "&accountId=" + Uri.EscapeDataString(accountId))
                       + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor));
            var (_, page) = await client.RequestJsonAsync(HttpMethod.Get, path, null, error, cancellationToken).ConfigureAwait(false);
            if (page is null)
            {
                return null;
            }

            if (!_toldIncomplete && page["complete"] is JsonValue complete && complete.TryGetValue<bool>(out var isComplete) && !isComplete)
            {
                // The month of an upgrade (or the installation's): runs created before the month's run index are not listed, so a job that resumes one
                // shows as waiting and the summary misses them.
                _toldIncomplete = true;
                await BillingCli.WriteErrorAsync(error, $"The run index of {period} is not marked complete (the month of an upgrade or of the installation): runs created before it are not listed, and a job resuming one shows as waiting. Run 'billing invoices backfill --period {period}' once.").ConfigureAwait(false);
            }

            foreach (var run in page["runs"]?.AsArray() ?? [])
            {
                if (InvoicesCommand.Text(run?["runId"]) is { } runId)
                {
                    runs[runId] = run!;
                }
            }

            cursor = InvoicesCommand.Text(page["nextCursor"]);
        }
        while (cursor is not null);

        return runs;
    }

    /// <summary>The run ids of invoice jobs put in the poison queue since the run started (the first messages of the queue); null when the listing could not be read (its error is written).</summary>
    private async Task<HashSet<string>?> PoisonedAsync(DateTimeOffset startedAt, CancellationToken cancellationToken)
    {
        var (_, listing) = await client.RequestJsonAsync(HttpMethod.Get, $"/api/billing/admin/poison?max={PoisonPeek}&queue=invoice-jobs", null, error, cancellationToken).ConfigureAwait(false);
        if (listing is null)
        {
            return null;
        }

        var messages = listing["messages"]?.AsArray() ?? [];
        if (messages.Count >= PoisonPeek && !_toldPoisonFull)
        {
            // Only the first messages can be read: a job of this run that failed behind them shows as waiting until
            // the time is up.
            _toldPoisonFull = true;
            await error.WriteLineAsync($"invoice-jobs-poison holds {PoisonPeek} or more messages and only the first {PoisonPeek} are read: a job of this run that failed behind them shows as waiting. Deal with the old ones first ('billing admin poison list --queue invoice-jobs').").ConfigureAwait(false);
        }

        var poisoned = new HashSet<string>(StringComparer.Ordinal);
        foreach (var message in messages)
        {
            if (InvoicesCommand.Text(message?["runId"]) is { } runId
                && DateTimeOffset.TryParse(InvoicesCommand.Text(message!["insertedOn"]), CultureInfo.InvariantCulture, out var insertedOn)
                && insertedOn >= startedAt)
            {
                poisoned.Add(runId);
            }
        }

        return poisoned;
    }
}
