using Billing.Application.Invoicing;

namespace Billing.FunctionApp.Invoicing;

/// <summary>
/// Queue trigger on <c>%INVOICE_JOBS_QUEUE%</c>: invoices one account's closed period per message. A failure throws, so
/// the host retries the message and, after host.json's <c>maxDequeueCount</c>, moves it to <c>invoice-jobs-poison</c>.
/// </summary>
public sealed class InvoiceAccountFunction(InvoiceAccount invoicing)
{
    [Function("InvoiceAccount")]
    public Task Run([QueueTrigger("%INVOICE_JOBS_QUEUE%", Connection = "AzureWebJobsStorage")] string message, long dequeueCount, CancellationToken cancellationToken) =>
        invoicing.RunAsync(InvoiceJob.Parse(message), dequeueCount, cancellationToken);
}
