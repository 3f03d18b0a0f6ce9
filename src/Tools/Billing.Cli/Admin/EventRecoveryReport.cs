using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Billing.Cli.Output;

namespace Billing.Cli.Admin;

/// <summary>
/// <c>billing admin events recover</c>: its <c>--since</c> (a time with its offset) and its answers as text, one line per
/// event (id, type, created, outcome) and a summary per batch, then the totals.
/// </summary>
public static partial class EventRecoveryReport
{
    /// <summary>The time as UTC, or null when it is not a date and time with an offset (Z or ±hh:mm), seconds optional.</summary>
    public static DateTimeOffset? ParseSince(string? value) =>
        value is not null && WithOffset().IsMatch(value)
        && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var since)
            ? since
            : null;

    /// <summary>One batch: a head line, a line per event (id, type, created, outcome) and the batch's counts.</summary>
    public static string Format(JsonNode answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var rows = (answer["events"]?.AsArray() ?? []).Select(e => (IReadOnlyList<string?>)
            [Text(e?["id"]), Text(e?["type"]), Text(e?["created"]), Outcome(e)]);
        var dryRun = answer["dryRun"]?.GetValue<bool>() == true;
        var head = string.Create(CultureInfo.InvariantCulture,
            $"{(dryRun ? "Dry run: nothing was stored or queued. " : "")}Events since {Text(answer["since"])}{(answer["all"]?.GetValue<bool>() == true ? " (delivered ones too)" : " not delivered to every endpoint")}:\n");
        return head + TablePrinter.Format(["EVENT", "TYPE", "CREATED", "OUTCOME"], rows) + Tally.Of(answer).Format(dryRun) + ".\n";
    }

    /// <summary>
    /// What follows the batches: the totals when there were several, and the cursor to go on from when the command stopped
    /// with more left (<c>--one-batch</c>).
    /// </summary>
    public static string End(int batches, Tally totals, bool dryRun, string? cursor)
    {
        ArgumentNullException.ThrowIfNull(totals);
        var end = batches > 1 ? string.Create(CultureInfo.InvariantCulture, $"In all, {batches} batches: {totals.Format(dryRun)}.\n") : string.Empty;
        return cursor is null ? end : end + $"More events remain: run it again with the same options and --cursor {cursor}\n";
    }

    /// <summary>Where a recovery stopped by a failed batch goes on from.</summary>
    public static string GoOn(int batches, string cursor) =>
        string.Create(CultureInfo.InvariantCulture, $"stopped after {batches} batch{(batches == 1 ? "" : "es")}: to go on from there, run it again with the same options and --cursor {cursor}");

    /// <summary>The command's shortfall: events not stored, which need an operator (runbook).</summary>
    public static string? Skipped(Tally totals)
    {
        ArgumentNullException.ThrowIfNull(totals);
        var skipped = totals.Skipped;
        return skipped == 0 ? null : string.Create(CultureInfo.InvariantCulture, $"{skipped} event{(skipped == 1 ? " was" : "s were")} skipped, not stored: apply them by hand (docs/webhooks.md, Runbook).");
    }

    /// <summary>An answer's summary, or the sum of several.</summary>
    public sealed record Tally(int Listed, int Queued, int Duplicates, int Skipped)
    {
        public static Tally Of(JsonNode answer)
        {
            ArgumentNullException.ThrowIfNull(answer);
            var summary = answer["summary"];
            return new Tally((int?)summary?["listed"] ?? 0, (int?)summary?["queued"] ?? 0, (int?)summary?["duplicates"] ?? 0, (int?)summary?["skipped"] ?? 0);
        }

        public static Tally operator +(Tally a, Tally b)
        {
            ArgumentNullException.ThrowIfNull(a);
            ArgumentNullException.ThrowIfNull(b);
            return new Tally(a.Listed + b.Listed, a.Queued + b.Queued, a.Duplicates + b.Duplicates, a.Skipped + b.Skipped);
        }

        public string Format(bool dryRun) =>
            string.Create(CultureInfo.InvariantCulture, $"{Listed} listed: {Queued} {(dryRun ? "to queue" : "queued")}, {Duplicates} duplicate, {Skipped} skipped");
    }

    private static string? Outcome(JsonNode? recovered) => Text(recovered?["outcome"]) switch
    {
        "duplicate" when recovered?["requeued"]?.GetValue<bool>() == true => "duplicate (not final: queued again)",
        "skipped" => $"skipped: {Text(recovered?["reason"])}",
        var outcome => outcome,
    };

    private static string? Text(JsonNode? node) => AdminViewTables.Text(node);

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$")]
    private static partial Regex WithOffset();
}
