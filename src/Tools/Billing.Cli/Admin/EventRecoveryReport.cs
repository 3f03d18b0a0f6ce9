using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Billing.Cli.Output;

namespace Billing.Cli.Admin;

/// <summary>
/// <c>billing admin events recover</c>: its <c>--since</c> (a time with its offset) and its answer as text, one line per
/// event (id, type, created, outcome) and a summary.
/// </summary>
public static partial class EventRecoveryReport
{
    /// <summary>The time as UTC, or null when it is not a date and time with an offset (Z or ±hh:mm), seconds optional.</summary>
    public static DateTimeOffset? ParseSince(string? value) =>
        value is not null && WithOffset().IsMatch(value)
        && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var since)
            ? since
            : null;

    public static string Format(JsonNode answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var rows = (answer["events"]?.AsArray() ?? []).Select(e => (IReadOnlyList<string?>)
            [Text(e?["id"]), Text(e?["type"]), Text(e?["created"]), Outcome(e)]);
        var summary = answer["summary"];
        var dryRun = answer["dryRun"]?.GetValue<bool>() == true;
        var head = string.Create(CultureInfo.InvariantCulture,
            $"{(dryRun ? "Dry run: nothing was stored or queued. " : "")}Events since {Text(answer["since"])}{(answer["all"]?.GetValue<bool>() == true ? " (delivered ones too)" : " not delivered to every endpoint")}:\n");
        var tail = string.Create(CultureInfo.InvariantCulture,
            $"{(int?)summary?["listed"] ?? 0} listed: {(int?)summary?["queued"] ?? 0} {(dryRun ? "to queue" : "queued")}, {(int?)summary?["duplicates"] ?? 0} duplicate, {(int?)summary?["skipped"] ?? 0} skipped.\n");
        return head + TablePrinter.Format(["EVENT", "TYPE", "CREATED", "OUTCOME"], rows) + tail;
    }

    /// <summary>The command's shortfall: events not stored, which need an operator (runbook).</summary>
    public static string? Skipped(JsonNode answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var skipped = (int?)answer["summary"]?["skipped"] ?? 0;
        return skipped == 0 ? null : string.Create(CultureInfo.InvariantCulture, $"{skipped} event{(skipped == 1 ? " was" : "s were")} skipped, not stored: apply them by hand (docs/webhooks.md, Runbook).");
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
