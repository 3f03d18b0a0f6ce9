using Billing.Application.Invoicing;
using Billing.Application.Tests.Fakes;
using Billing.Domain.Metering;

namespace Billing.Application.Tests.Invoicing;

/// <summary>
/// What holds expired credit for an invoice: a closed period with usage is owed at its end until its run has spent
/// (or found nothing to bill), and only within the window asked about.
/// </summary>
public sealed class PendingInvoiceSpendsTests
{
    private readonly InvoicingTestBed _bed = new();
    private readonly PendingInvoiceSpends _pending;

    public PendingInvoiceSpendsTests() => _pending = new PendingInvoiceSpends(_bed.Ledger, _bed.Runs);

    [Fact]
    public async Task A_closed_period_is_owed_at_its_end_until_its_run_has_spent()
    {
        var subscriber = await _bed.ClosedProPeriodAsync();
        var (start, end) = (subscriber.Period.Start, subscriber.Period.End);

        var beforeTheRun = await ListAsync(subscriber, start, end.AddTicks(1));
        var windowEndingAtIt = await ListAsync(subscriber, start, end);
        var windowFromIt = await ListAsync(subscriber, end, end.AddHours(1));
        var windowAfterIt = await ListAsync(subscriber, end.AddTicks(1), end.AddHours(1));
        _bed.Options.FailOnceAt = [nameof(InvoiceRunStep.Computed), nameof(InvoiceRunStep.CreditApplied)];
        await Assert.ThrowsAsync<InjectedInvoicingFaultException>(() => _bed.DeliverAsync(subscriber.Job));
        var atComputed = await ListAsync(subscriber, start, end.AddTicks(1));
        await Assert.ThrowsAsync<InjectedInvoicingFaultException>(() => _bed.DeliverAsync(subscriber.Job));
        var spent = await ListAsync(subscriber, start, end.AddTicks(1));

        Assert.Equal([end], beforeTheRun);
        Assert.Empty(windowEndingAtIt);
        Assert.Equal([end], windowFromIt);
        Assert.Empty(windowAfterIt);
        Assert.Equal([end], atComputed);
        Assert.Equal(InvoiceRunStep.CreditApplied, _bed.Runs.Find(subscriber.Id, subscriber.Period.Key)!.Step);
        Assert.Empty(spent); // not finished, but its spend is decided
    }

    [Fact]
    public async Task A_period_with_nothing_to_bill_is_no_longer_owed_once_its_run_found_so()
    {
        var subscriber = await _bed.ClosedProPeriodAsync(agentRuns: 1_000, tokens: 100_000);
        var owed = await ListAsync(subscriber, subscriber.Period.Start, subscriber.Period.End.AddTicks(1));

        Assert.Equal(InvoiceRunStep.NothingToBill, (await _bed.DeliverAsync(subscriber.Job))!.Step);

        Assert.Equal([subscriber.Period.End], owed);
        Assert.Empty(await ListAsync(subscriber, subscriber.Period.Start, subscriber.Period.End.AddTicks(1)));
    }

    [Fact]
    public async Task Years_of_an_account_s_periods_are_not_read_to_find_the_one_that_ended_in_the_window()
    {
        // GET /api/billing/invoices/upcoming (with credit) and every credit ledger touch while an expired grant has
        // credit left ask this; what they read must grow with the periods in the window, not with the account's age.
        var subscriber = await _bed.ClosedProPeriodAsync();
        var meter = MeterName.Parse("agent_runs");
        var start = subscriber.Period.Start;
        for (var month = 1; month <= 60; month++) // five years of monthly periods before it
        {
            _bed.Ledger.Set(subscriber.Id, UsagePeriod.SubscriptionPeriod(start.AddMonths(-month), start.AddMonths(-month + 1)), meter, 10);
        }

        var listedBefore = _bed.Ledger.CountersListed;
        var owed = await ListAsync(subscriber, subscriber.Period.End.AddDays(-1), subscriber.Period.End.AddDays(1));

        Assert.Equal([subscriber.Period.End], owed);
        Assert.Equal(1, _bed.Ledger.CountersListed - listedBefore);
    }

    private Task<IReadOnlyList<DateTimeOffset>> ListAsync(Subscriber subscriber, DateTimeOffset from, DateTimeOffset before) =>
        _pending.ListAsync(subscriber.Id, from, before, CancellationToken.None);
}
