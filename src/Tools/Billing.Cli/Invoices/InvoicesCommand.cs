using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Billing.Cli.Accounts;
using Billing.Cli.Admin;
using Billing.Cli.Output;

namespace Billing.Cli.Invoices;

/// <summary>
/// <c>billing invoices run --period YYYY-MM [--dry-run] [--account ID]</c>: queues the month's closed, not yet invoiced
/// usage periods on a running function app (as its timer would), follows the runs with a progress bar and ends with a
/// summary (exit 1 when a job failed or did not finish); a dry run prints what each period would be charged.
/// <c>billing invoices show ID</c>: one run by its id (<c>{accountId}:{periodKey}</c>) or its Stripe invoice id (<c>in_...</c>).
/// <c>billing invoices backfill --period YYYY-MM</c>: names the month's runs created before the month's run index in it
/// (the month of an upgrade from a version without it, or of a new installation, and any month before it), so the
/// month's listing is complete.
/// </summary>
public static partial class InvoicesCommand
{
    public const string RunsPath = "/api/billing/admin/invoices/runs";

    public static Command Create()
    {
        var connection = new AdminConnection();
        var invoices = new Command("invoices", "Usage invoicing on a running function app (admin role): run a month, show a run, backfill a month's run index.");
        connection.AddTo(invoices);
        invoices.Subcommands.Add(Run(connection));
        invoices.Subcommands.Add(Show(connection));
        invoices.Subcommands.Add(Backfill(connection));
        BillingCli.RequireSubcommand(invoices);
        return invoices;
    }

    private static Option<string> PeriodOption()
    {
        var period = new Option<string>("--period")
        {
            Description = "The month, YYYY-MM: the usage periods that end in it (UTC), each account's own closing day.",
            Required = true,
        };
        period.Validators.Add(result =>
        {
            var value = result.Tokens.Count == 0 ? null : result.GetValueOrDefault<string>();
            if (value is not null && !IsMonth(value))
            {
                result.AddError($"--period must be a month as YYYY-MM (e.g. 2026-11); got '{value}'.");
            }
        });
        return period;
    }

    private static Command Run(AdminConnection connection)
    {
        var period = PeriodOption();
        var dryRun = new Option<bool>("--dry-run") { Description = "Only price the periods: nothing is written and Stripe is not called." };
        var account = AccountOption.Create("Only this account's period.", required: false);
        var timeout = BoundedIntOption.Create("--timeout", "Seconds to follow the run before giving up on jobs not finished", 3600, 1, 86_400);
        var poll = BoundedIntOption.Create("--poll-ms", "Milliseconds between two looks at the runs", 2000, 50, 60_000);
        var command = new Command("run", "Invoice a month's closed usage periods and follow the jobs to the end.") { period, dryRun, account, timeout, poll };
        command.SetAction(async (result, cancellationToken) =>
        {
            using var client = connection.CreateClient(result, out var connectionError);
            var (output, error) = (result.InvocationConfiguration.Output, result.InvocationConfiguration.Error);
            if (client is null)
            {
                await BillingCli.WriteErrorAsync(error, connectionError!).ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            var body = new JsonObject
            {
                ["period"] = result.GetRequiredValue(period),
                ["dryRun"] = result.GetValue(dryRun),
                ["accountId"] = result.GetValue(account),
            };
            var (exitCode, started) = await client.RequestJsonAsync(HttpMethod.Post, RunsPath, body, error, cancellationToken).ConfigureAwait(false);
            if (started is null)
            {
                return exitCode;
            }

            if (result.GetValue(dryRun))
            {
                await DryRunReport.WriteAsync(started, output).ConfigureAwait(false);
                return ExitCodes.Success;
            }

            var follower = new InvoiceRunFollower(client, output, error, ProgressLine.For(output), TimeSpan.FromMilliseconds(result.GetValue(poll)), TimeSpan.FromSeconds(result.GetValue(timeout)));
            return await follower.FollowAsync(started, result.GetValue(account), cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static Command Backfill(AdminConnection connection)
    {
        var period = PeriodOption();
        var command = new Command("backfill", "Name the month's runs created before its run index in it, so the month's listing is complete (idempotent).") { period };
        command.SetAction(async (result, cancellationToken) =>
        {
            using var client = connection.CreateClient(result, out var connectionError);
            var (output, error) = (result.InvocationConfiguration.Output, result.InvocationConfiguration.Error);
            if (client is null)
            {
                await BillingCli.WriteErrorAsync(error, connectionError!).ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            var body = new JsonObject { ["period"] = result.GetRequiredValue(period) };
            var (exitCode, done) = await client.RequestJsonAsync(HttpMethod.Post, RunsPath + "/backfill", body, error, cancellationToken).ConfigureAwait(false);
            if (done is null)
            {
                return exitCode;
            }

            var state = Text(done["completedAt"]) is { } at
                ? $"complete since {at}."
                : "NOT complete: the month is older than the closing-day index keeps invoiced periods; list its runs per account (--account).";
            await output.WriteLineAsync(string.Create(
                CultureInfo.InvariantCulture,
                $"Run index of {Text(done["period"])}: {done["periodsRead"]} periods read, {done["runsFound"]} runs found, {done["entriesWritten"]} entries written; {state}")).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Show(AdminConnection connection)
    {
        var id = new Argument<string>("ID") { Description = "A run id, {accountId}:{periodKey}, or a Stripe invoice id, in_..." };
        id.Validators.Add(result =>
        {
            // An unset variable ("$RUN") or a stray space would ask for .../runs/ (the listing) or an id no run has.
            var value = result.Tokens.Count == 0 ? null : result.Tokens[^1].Value;
            if (value is not null && (value.Length == 0 || value.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '/' or '?' or '#')))
            {
                result.AddError($"ID '{value}' is not a run id ({{accountId}}:{{periodKey}}) or a Stripe invoice id (in_...).");
            }
        });
        var json = new Option<bool>("--json") { Description = "Print the run as the API answers it (JSON)." };
        var command = new Command("show", "Show one invoice run: step, Stripe invoice, status, hosted page, lines and total.") { id, json };
        command.SetAction(async (result, cancellationToken) =>
        {
            using var client = connection.CreateClient(result, out var connectionError);
            var (output, error) = (result.InvocationConfiguration.Output, result.InvocationConfiguration.Error);
            if (client is null)
            {
                await BillingCli.WriteErrorAsync(error, connectionError!).ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            var (exitCode, run) = await client.RequestJsonAsync(HttpMethod.Get, $"{RunsPath}/{Uri.EscapeDataString(result.GetRequiredValue(id))}", null, error, cancellationToken).ConfigureAwait(false);
            if (run is null)
            {
                return exitCode;
            }

            await output.WriteLineAsync(result.GetValue(json) ? JsonOutput.TryFormat(run.ToJsonString()) : Describe(run)).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>A run as a short block of text: what, where it stands, the Stripe invoice and each line.</summary>
    internal static string Describe(JsonNode run)
    {
        var text = new System.Text.StringBuilder();
        var currency = Text(run["currency"]);
        text.AppendLine(CultureInfo.InvariantCulture, $"Invoice run {Text(run["runId"])}: {Text(run["step"])}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  account   {Text(run["accountId"])} (plan {Text(run["plan"])})");
        text.AppendLine(CultureInfo.InvariantCulture, $"  period    {Text(run["periodKey"])}: {Text(run["periodStart"])} to {Text(run["periodEnd"])}");
        var invoice = Text(run["stripeInvoiceId"]) is { } invoiceId
            ? $"{invoiceId}{(Text(run["number"]) is { } number ? $" ({number})" : "")}, status {Text(run["status"]) ?? "none"}"
            : Text(run["step"]) switch
            {
                // Done without a Stripe invoice: none will come.
                "coveredByCredit" => "none: prepaid credit paid it in full",
                "nothingToBill" => "none: nothing to bill",
                _ => $"none yet, status {Text(run["status"]) ?? "none"}",
            };
        text.AppendLine(CultureInfo.InvariantCulture, $"  invoice   {invoice}");
        if (Text(run["hostedInvoiceUrl"]) is { } url)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  page      {url}");
        }

        if (Text(run["collectionPause"]) is { } pause)
        {
            // Without it a recorded run whose invoice is a draft, uncollectible or void gives the operator no reason.
            text.AppendLine(CultureInfo.InvariantCulture, $"  paused    collection paused in Stripe ({pause}): {PauseOutcome(pause)}");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"  total     {Amount(run["total"], currency)}");
        var credit = (long?)run["creditApplied"] ?? 0;
        if (credit > 0)
        {
            // The Stripe invoice carries the credit as its own negative line and bills the rest: say both, or the total
            // reads as what the invoice named above bills.
            text.AppendLine(CultureInfo.InvariantCulture, $"  credit    {Amount(-credit, currency)} of prepaid credit");
        }

        var computed = ((long?)run["total"] ?? 0) - credit;
        if ((long?)run["amountDue"] is { } due && due != computed)
        {
            // An operator changed the invoice in Stripe and finalized it: it bills Stripe's total, not the run's.
            text.AppendLine(CultureInfo.InvariantCulture, $"  due       {Amount(due, currency)} as Stripe's invoice bills it, changed in Stripe (the run computed {Amount(computed, currency)})");
        }
        else if (credit > 0)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  due       {Amount(run["amountDue"], currency)}");
        }

        foreach (var line in run["lines"]?.AsArray() ?? [])
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  - {Amount(line!["amount"], currency)}  {Text(line["description"])}{(Text(line["stripeItemId"]) is { } item ? $"  [{item}]" : "")}");
        }

        text.Append(CultureInfo.InvariantCulture, $"  attempts  {run["attempts"]}, updated {Text(run["updatedAt"])}");
        return text.ToString();
    }

    /// <summary>What the run did with its invoice because the subscription's collection was paused (api.md, paused collection).</summary>
    private static string PauseOutcome(string pause) => pause switch
    {
        "keepAsDraft" => "kept a draft; finalize it in Stripe to bill it, or delete it (recorded deleted, credit given back)",
        "markUncollectible" => "finalized without collection and marked uncollectible (owed, never charged; its credit stays spent)",
        "void" => "finalized without collection and voided (its credit given back)",
        _ => "see the run's status",
    };

    /// <summary>Minor units as they are, with the currency: exact whatever the currency's decimals.</summary>
    internal static string Amount(JsonNode? minorUnits, string? currency) => Amount((long?)minorUnits ?? 0, currency);

    private static string Amount(long minorUnits, string? currency) =>
        string.Create(CultureInfo.InvariantCulture, $"{minorUnits:N0} {currency} (minor units)");

    internal static string? Text(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static bool IsMonth(string value) =>
        Month().IsMatch(value) && int.Parse(value.AsSpan(5, 2), CultureInfo.InvariantCulture) is >= 1 and <= 12;

    [GeneratedRegex(@"^[0-9]{4}-[0-9]{2}\z", RegexOptions.CultureInvariant)]
    private static partial Regex Month();
}
