using Billing.FunctionApp.Invoicing;
using Microsoft.Azure.Functions.Worker;

namespace Billing.FunctionApp.Tests.Invoicing;

/// <summary>The timer's last run, as the invoicing sweep is told it after downtime.</summary>
public sealed class MonthlyInvoicingFunctionTests
{
    private static readonly DateTime LastOccurrence = new(2026, 11, 1, 2, 0, 0, DateTimeKind.Unspecified);

    [Fact]
    public void The_last_run_is_the_schedule_status_last_occurrence_in_utc()
    {
        var status = new ScheduleStatus { Last = LastOccurrence, Next = LastOccurrence.AddDays(1), LastUpdated = LastOccurrence };

        Assert.Equal(new DateTimeOffset(2026, 11, 1, 2, 0, 0, TimeSpan.Zero), MonthlyInvoicingFunction.LastRun(status));
    }

    [Fact]
    public void A_schedule_change_that_reset_the_last_occurrence_falls_back_to_when_the_status_was_updated()
    {
        var status = new ScheduleStatus { Last = default, Next = LastOccurrence.AddDays(2), LastUpdated = LastOccurrence };

        Assert.Equal(new DateTimeOffset(2026, 11, 1, 2, 0, 0, TimeSpan.Zero), MonthlyInvoicingFunction.LastRun(status));
    }

    [Fact]
    public void No_monitor_or_no_run_yet_is_no_last_run()
    {
        Assert.Null(MonthlyInvoicingFunction.LastRun(null));
        Assert.Null(MonthlyInvoicingFunction.LastRun(new ScheduleStatus { Last = DateTime.MinValue, LastUpdated = DateTime.MinValue.ToLocalTime() }));
    }
}
