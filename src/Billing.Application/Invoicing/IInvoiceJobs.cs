namespace Billing.Application.Invoicing;

/// <summary>The <c>invoice-jobs</c> queue the <c>InvoiceAccount</c> function listens on.</summary>
public interface IInvoiceJobs
{
    Task EnqueueAsync(InvoiceJob job, CancellationToken cancellationToken);
}
