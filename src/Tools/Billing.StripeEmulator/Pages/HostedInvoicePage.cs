using System.Text;
using Billing.StripeEmulator.Billing;
using Billing.StripeEmulator.Controls;
using Billing.StripeEmulator.State;
using Billing.StripeEmulator.State.Objects;
using Billing.StripeEmulator.Wire.Pipeline;

namespace Billing.StripeEmulator.Pages;

/// <summary>`GET /invoices/{id}` (the `hosted_invoice_url`): the invoice, and a form to pay it with a chosen card.</summary>
internal static class HostedInvoicePage
{
    public static IEndpointRouteBuilder MapHostedInvoicePage(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/invoices/{id}", Show);
        routes.MapPost("/invoices/{id}", Pay);
        return routes;
    }

    private static IResult Show(string id, EmulatorStore store) =>
        store.Read(state => state.Invoices.TryGetValue(id, out var invoice) && invoice.FinalizedAt is not null
            ? Render(invoice, message: null)
            : Html.Page("Not found", "<p>This invoice does not exist or is still a draft.</p>", StatusCodes.Status404NotFound));

    private static IResult Pay(string id, HttpContext context, EmulatorStore store)
    {
        var behavior = ControlParams.Behavior(context.Params(), "payment_method") ?? PaymentBehavior.Succeeding;
        var outcome = store.Write(RequestInfo.Automatic, m =>
        {
            if (!m.State.Invoices.TryGetValue(id, out var invoice) || invoice.Status != "open")
            {
                return (PaymentOutcome?)null;
            }

            Customers.SetPaymentBehavior(m.State.Customers[invoice.CustomerId], behavior);
            // The customer is on the page: authentication happens here.
            if (behavior == PaymentBehavior.RequiresAction)
            {
                invoice.AttemptCount++;
                invoice.Attempted = true;
                Invoicing.MarkPaid(m, invoice, viaPayment: true);
                return PaymentOutcome.Paid;
            }

            return Invoicing.Collect(m, invoice);
        });
        var message = outcome switch
        {
            null => "This invoice cannot be paid.",
            PaymentOutcome.Paid => "Paid. Thank you!",
            _ => "Your card was declined.",
        };
        return store.Read(state => state.Invoices.TryGetValue(id, out var invoice)
            ? Render(invoice, message)
            : Html.Page("Not found", "<p>This invoice does not exist.</p>", StatusCodes.Status404NotFound));
    }

    private static IResult Render(InvoiceRecord invoice, string? message)
    {
        var body = new StringBuilder($"<p>Invoice {Html.E(invoice.Number)} · {Html.E(invoice.Status)}</p><table>");
        foreach (var line in invoice.Lines)
        {
            body.Append($"<tr><td>{Html.E(line.Description)}</td><td>{Html.E(MoneyText.Format(line.Amount, line.Currency))}</td></tr>");
        }

        body.Append($"<tr><th>Amount due</th><th>{Html.E(MoneyText.Format(invoice.AmountRemaining, invoice.Currency))}</th></tr></table>");
        if (message is not null)
        {
            body.Append($"<p class=\"error\">{Html.E(message)}</p>");
        }

        if (invoice.Status == "open")
        {
            body.Append($"""<form method="post" action="/invoices/{Html.E(invoice.Id)}"><p>{Html.PaymentMethodSelect("payment_method")}</p><p><button>Pay</button></p></form>""");
        }

        return Html.Page("Invoice", body.ToString());
    }
}
