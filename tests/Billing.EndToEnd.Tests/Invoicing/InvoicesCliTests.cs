using System.Globalization;
using System.Text.Json;
using Billing.EndToEnd.Tests.Support;

namespace Billing.EndToEnd.Tests.Invoicing;

/// <summary>
/// The operator's CLI against the real stack: <c>billing invoices run --period</c> prices the month (dry run), then
/// queues and follows its jobs to one invoice for the account with overage and none for the other, with the summary;
/// <c>billing invoices show</c> reads the run by its id and by its Stripe invoice; <c>billing invoices backfill</c> finds
/// the month's run index complete already. The timer is set never to fire here.
/// </summary>
public sealed class InvoicesCliTests
{
    [Fact]
    public async Task Invoices_run_for_a_month_invoices_each_closed_period_once_and_show_reads_the_result()
    {
        await using var stack = await WebhookStack.StartAsync(configure: settings => settings["MONTHLY_INVOICING_SCHEDULE"] = "0 0 0 1 1 *");
        var over = await InvoicingTests.SubscribeAsync(stack, "price_pro_monthly");
        var within = await InvoicingTests.SubscribeAsync(stack, "price_pro_monthly");
        await InvoicingTests.OpenPeriodsAsync(stack, over, within);
        await InvoicingTests.RecordAsync(stack, over.AccountId, "agent_runs", 5_250);
        await InvoicingTests.RecordAsync(stack, within.AccountId, "agent_runs", 10);
        var periodEnd = await InvoicingTests.ClosePeriodsNowAsync(stack, over, within);
        var month = (periodEnd - TimeSpan.FromTicks(1)).ToString("yyyy-MM", CultureInfo.InvariantCulture);
        string[] connection = ["--url", stack.App.BaseAddress.ToString(), "--settings", CliRun.DevelopmentSettings];

        var dry = await CliRun.RunAsync(["invoices", "run", "--period", month, "--dry-run", .. connection]);
        Assert.True(dry.ExitCode == 0, dry.Error);
        Assert.Contains($"  {over.AccountId}:", dry.Output, StringComparison.Ordinal);
        Assert.Contains("500 usd (minor units)", dry.Output, StringComparison.Ordinal); // 250 runs beyond 5,000 x 2 cents
        Assert.Empty(await InvoicingTests.InvoicesOfAsync(stack, over.CustomerId));

        var run = await CliRun.RunAsync(["invoices", "run", "--period", month, "--poll-ms", "500", .. connection]);

        Assert.True(run.ExitCode == 0, $"{run.Output} {run.Error}");
        Assert.Contains("invoices created  1", run.Output, StringComparison.Ordinal);
        Assert.Contains("total             500 usd (minor units)", run.Output, StringComparison.Ordinal);
        Assert.Contains("skipped           1 (nothing to bill 1, already invoiced before 0)", run.Output, StringComparison.Ordinal);
        Assert.Contains("failed            0", run.Output, StringComparison.Ordinal);
        var invoice = Assert.Single(await InvoicingTests.InvoicesOfAsync(stack, over.CustomerId));
        Assert.Equal(("open", 500L), (invoice.Status, invoice.Total));
        Assert.Empty(await InvoicingTests.InvoicesOfAsync(stack, within.CustomerId));

        var runId = invoice.Metadata["billing_run"];
        var show = await CliRun.RunAsync(["invoices", "show", runId, .. connection]);
        Assert.True(show.ExitCode == 0, show.Error);
        Assert.Contains($"Invoice run {runId}: recorded", show.Output, StringComparison.Ordinal);
        Assert.Contains($"invoice   {invoice.Id} ({invoice.Number}), status open", show.Output, StringComparison.Ordinal);
        Assert.Contains(invoice.HostedInvoiceUrl, show.Output, StringComparison.Ordinal);

        var byInvoice = await CliRun.RunAsync(["invoices", "show", invoice.Id, "--json", .. connection]);
        Assert.True(byInvoice.ExitCode == 0, byInvoice.Error);
        using (var json = JsonDocument.Parse(byInvoice.Output))
        {
            Assert.Equal(runId, json.RootElement.GetProperty("runId").GetString());
            Assert.Equal(500, json.RootElement.GetProperty("lines")[0].GetProperty("amount").GetInt64());
        }

        // Again: the month is invoiced; nothing is queued and the earlier runs count as done before.
        var again = await CliRun.RunAsync(["invoices", "run", "--period", month, "--poll-ms", "500", .. connection]);
        Assert.True(again.ExitCode == 0, $"{again.Output} {again.Error}");
        Assert.Contains("skipped           2 (nothing to bill 0, already invoiced before 2)", again.Output, StringComparison.Ordinal);
        Assert.Single(await InvoicingTests.InvoicesOfAsync(stack, over.CustomerId));

        // The month's run index: these runs named themselves as they were created, so a backfill finds them and writes
        // nothing, and marks the month complete.
        var backfill = await CliRun.RunAsync(["invoices", "backfill", "--period", month, .. connection]);
        Assert.True(backfill.ExitCode == 0, $"{backfill.Output} {backfill.Error}");
        Assert.Contains($"Run index of {month}: ", backfill.Output, StringComparison.Ordinal);
        Assert.Contains(" 0 entries written; complete since ", backfill.Output, StringComparison.Ordinal);
    }
}
