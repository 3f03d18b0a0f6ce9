using System.Globalization;
using System.Text.Json.Nodes;

namespace Billing.Cli.Invoices;

/// <summary>A dry run as text: each period's charges per meter or "nothing to bill", then totals per currency.</summary>
internal static class DryRunReport
{
    public static async Task WriteAsync(JsonNode started, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(started);
        ArgumentNullException.ThrowIfNull(output);
        var charges = started["charges"]?.AsArray() ?? [];
        var billable = charges.Count(c => c?["nothingToBill"]?.GetValue<bool>() == false);
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"Dry run of {InvoicesCommand.Text(started["period"])}: {charges.Count} closed period{(charges.Count == 1 ? "" : "s")}, {billable} to invoice, {charges.Count - billable} with nothing to bill, {(int?)started["notClosedYet"] ?? 0} not closed yet. Nothing was written; Stripe was not called.")).ConfigureAwait(false);
        foreach (var charge in charges)
        {
            var currency = InvoicesCommand.Text(charge!["currency"]);
            var head = $"  {InvoicesCommand.Text(charge["runId"])} ({InvoicesCommand.Text(charge["plan"])}): ";
            if (charge["nothingToBill"]?.GetValue<bool>() == true)
            {
                await output.WriteLineAsync(head + "nothing to bill").ConfigureAwait(false);
                continue;
            }

            await output.WriteLineAsync(head + InvoicesCommand.Amount(charge["total"], currency)).ConfigureAwait(false);
            foreach (var line in charge["lines"]?.AsArray() ?? [])
            {
                await output.WriteLineAsync($"      {InvoicesCommand.Amount(line!["amount"], currency)}  {InvoicesCommand.Text(line["description"])}").ConfigureAwait(false);
            }
        }

        var totals = started["totals"]?.AsObject().Where(t => (long?)t.Value != 0).ToList() ?? [];
        await output.WriteLineAsync("Total: " + (totals.Count == 0 ? "nothing" : string.Join(", ", totals.Select(t => InvoicesCommand.Amount(t.Value, t.Key))))).ConfigureAwait(false);
    }
}
