using Billing.Application.Invoicing;

namespace Billing.FunctionApp.Invoicing;

/// <summary>
/// Timer trigger on <c>%MONTHLY_INVOICING_SCHEDULE%</c> (default daily at 02:00 UTC, so a period that closes on any day
/// of the month is invoiced within a day): queues one <c>invoice-jobs</c> message per closed period not invoiced yet.
/// It only enumerates; <see cref="InvoiceAccountFunction"/> does the invoicing.
/// </summary>
public sealed class MonthlyInvoicingFunction(InvoicingSweep sweep)
{
    [Function("MonthlyInvoicing")]
    public async Task Run([TimerTrigger("%MONTHLY_INVOICING_SCHEDULE%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(timer);
        await sweep.RunAsync(cancellationToken).ConfigureAwait(false);
    }
}
