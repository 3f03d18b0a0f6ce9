using Billing.Application.Invoicing;
using Billing.Domain.Accounts;
using Billing.FunctionApp.Invoicing;
using Billing.FunctionApp.Metering;
using Microsoft.Extensions.DependencyInjection;

namespace Billing.FunctionApp.Tests.Budgets;

/// <summary>
/// What an invoicing job costs once its period has closed (docs/data-model.md, "Cost per function"): a fixture of its
/// own, since its clock moves past the period's end.
/// </summary>
public sealed class InvoicingBudgetTests(BudgetApp app) : IClassFixture<BudgetApp>
{
    private readonly string _account = "budget-" + Guid.NewGuid().ToString("N")[..12];

    [Fact]
    public async Task A_job_delivered_again_for_a_run_already_invoiced_reads_the_run_and_its_index_entry_and_writes_nothing()
    {
        await app.SubscribeAsync(_account);
        Assert.Equal(200, await app.CallAsync<RecordUsageFunction>((f, r) => f.Run(r, default), "product-backend", json: $$"""{"accountId":"{{_account}}","meter":"agent_runs","quantity":5100,"idempotencyKey":"over"}"""));
        app.Time.Advance(TimeSpan.FromDays(32)); // past the period's end, settled
        await app.WarmAsync();
        var now = DateOnly.FromDateTime(app.Time.GetUtcNow().UtcDateTime);
        var period = Assert.Single(await app.Services.GetRequiredService<InvoicingSweep>().ListNotInvoicedAsync(now.AddDays(-40), now, AccountId.Parse(_account), default));
        var job = new InvoiceJob(period.AccountId, period.PeriodKey) { PeriodEnd = period.PeriodEnd }.ToJson();
        var invoiced = await app.RequestsOfAsync(() => app.RunAsync<InvoiceAccountFunction>(f => f.Run(job, 1, default)));
        Assert.Contains("stripe POST /v1/invoices", invoiced); // an overage invoice

        var redelivered = await app.RequestsOfAsync(() => app.RunAsync<InvoiceAccountFunction>(f => f.Run(job, 2, default)));

        Assert.Equal(["read invoice-run", "read invoice-entry"], redelivered);
    }
}
