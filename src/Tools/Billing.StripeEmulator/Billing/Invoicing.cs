using System.Globalization;
using Billing.StripeEmulator.State;
using Billing.StripeEmulator.State.Objects;
using Billing.StripeEmulator.Wire;
using Billing.StripeEmulator.Wire.Shapes;

namespace Billing.StripeEmulator.Billing;

/// <summary>
/// The invoice life cycle: draft (lines and pending items added) -> finalize (open, numbered; a zero amount is
/// paid at once) -> collect (paid, or a failed attempt that moves the subscription to past_due); an open invoice
/// can instead be voided or marked uncollectible.
/// </summary>
internal static class Invoicing
{
    public static InvoiceRecord NewDraft(Mutation m, CustomerRecord customer, string billingReason, string currency, string? subscriptionId = null, long? periodStart = null, long? periodEnd = null)
    {
        var invoice = m.State.Add(m.State.Invoices, new InvoiceRecord
        {
            Id = IdGenerator.New("in"),
            Created = m.Now,
            CustomerId = customer.Id,
            SubscriptionId = subscriptionId,
            Currency = currency,
            BillingReason = billingReason,
            PeriodStart = periodStart ?? m.Now,
            PeriodEnd = periodEnd ?? m.Now,
            CustomerEmail = customer.Email,
            CustomerName = customer.Name,
        });
        customer.Currency ??= currency;
        return invoice;
    }

    public static void EmitCreated(Mutation m, InvoiceRecord invoice) =>
        m.Emit("invoice.created", InvoiceShape.ToJson(invoice, m.State));

    /// <summary>
    /// A subscription's new invoice: `invoice.created`, then finalized and charged at once. While the subscription's
    /// collection is paused Stripe does not collect it and follows `pause_collection[behavior]` instead:
    /// keep_as_draft leaves a draft with auto_advance off, mark_uncollectible finalizes it and marks it
    /// uncollectible (`subscription_paused`), void finalizes and voids it. No charge, so the status stays as it is.
    /// </summary>
    public static void Issue(Mutation m, InvoiceRecord invoice, SubscriptionRecord subscription)
    {
        if (subscription.PauseBehavior == "keep_as_draft")
        {
            invoice.AutoAdvance = false;
            EmitCreated(m, invoice);
            return;
        }

        EmitCreated(m, invoice);
        Finalize(m, invoice);
        switch (subscription.PauseBehavior)
        {
            case "mark_uncollectible" when invoice.Status == "open":
                MarkUncollectible(m, invoice, "subscription_paused");
                break;
            case "void" when invoice.Status == "open":
                Void(m, invoice);
                break;
            case null:
                Collect(m, invoice);
                break;
        }
    }

    /// <summary>One line per subscription item for the period; zero amounts while trialing.</summary>
    public static void AddSubscriptionLines(Mutation m, InvoiceRecord invoice, SubscriptionRecord subscription, long periodStart, long periodEnd, bool trial)
    {
        foreach (var item in subscription.Items)
        {
            var price = m.State.Prices[item.PriceId];
            var product = Lookup.ProductName(m.State, price);
            var description = trial
                ? $"Trial period for {product}"
                : $"{item.Quantity.ToString(CultureInfo.InvariantCulture)} × {product} (at {MoneyText.Format(price.UnitAmount, price.Currency)} / {price.Interval})";
            invoice.Lines.Add(new InvoiceLineRecord
            {
                Id = IdGenerator.New("il"),
                Amount = trial ? 0 : price.UnitAmount * item.Quantity,
                Currency = price.Currency,
                Description = description,
                PeriodStart = periodStart,
                PeriodEnd = periodEnd,
                Quantity = item.Quantity,
                PriceId = price.Id,
                SubscriptionId = subscription.Id,
                SubscriptionItemId = item.Id,
                UnitAmountDecimal = (trial ? 0 : price.UnitAmount).ToString(CultureInfo.InvariantCulture),
            });
        }
    }

    /// <summary>Adds not-yet-invoiced invoice items that match <paramref name="belongs"/>, oldest first.</summary>
    public static void AttachPendingItems(Mutation m, InvoiceRecord invoice, Func<InvoiceItemRecord, bool> belongs)
    {
        var pending = m.State.InvoiceItems.Values
            .Where(item => item.InvoiceId is null && item.CustomerId == invoice.CustomerId && item.Currency == invoice.Currency && belongs(item))
            .OrderBy(item => item.Sequence)
            .ToList();
        foreach (var item in pending)
        {
            AttachItem(invoice, item);
        }

        if (pending.Count > 0 && invoice.BillingReason == "manual")
        {
            invoice.PeriodStart = Math.Min(invoice.PeriodStart, pending.Min(item => item.Created));
        }
    }

    public static void AttachItem(InvoiceRecord invoice, InvoiceItemRecord item)
    {
        item.InvoiceId = invoice.Id;
        var line = new InvoiceLineRecord
        {
            Id = IdGenerator.New("il"),
            Amount = item.Amount,
            Currency = item.Currency,
            Description = item.Description,
            PeriodStart = item.PeriodStart,
            PeriodEnd = item.PeriodEnd,
            Quantity = item.Quantity,
            PriceId = item.PriceId,
            InvoiceItemId = item.Id,
            SubscriptionId = item.SubscriptionId,
            Proration = item.Proration,
            UnitAmountDecimal = item.UnitAmountDecimal,
        };
        foreach (var (key, value) in item.Metadata)
        {
            line.Metadata[key] = value;
        }

        invoice.Lines.Add(line);
    }

    /// <summary>
    /// draft -> open with a number; the customer's balance is applied (<see cref="CustomerBalances"/>), and Stripe marks
    /// an invoice with nothing due as paid right away: one the balance covers, and one below the minimum charge, whose
    /// amount the balance carries to the next invoice.
    /// </summary>
    public static void Finalize(Mutation m, InvoiceRecord invoice)
    {
        if (invoice.Status != "draft")
        {
            throw StripeApiException.InvalidRequest("This invoice is already finalized, you can't re-finalize a non-draft invoice.", null, "invoice_not_editable");
        }

        var customer = m.State.Customers[invoice.CustomerId];
        invoice.Status = "open";
        invoice.FinalizedAt = m.Now;
        invoice.Number = $"{customer.InvoicePrefix}-{customer.NextInvoiceSequence.ToString("D4", CultureInfo.InvariantCulture)}";
        customer.NextInvoiceSequence++;
        if (invoice.CollectionMethod == "send_invoice" && invoice.DueDate is null && invoice.DaysUntilDue is { } days)
        {
            invoice.DueDate = m.Now + (days * 86400);
        }

        CustomerBalances.ApplyAtFinalization(m, invoice);
        m.Emit("invoice.finalized", InvoiceShape.ToJson(invoice, m.State));
        if (invoice.AmountDue == 0)
        {
            MarkPaid(m, invoice, viaPayment: true);
        }
    }

    /// <summary>Charges the customer's saved payment method (drafts are finalized first).</summary>
    public static PaymentOutcome Collect(Mutation m, InvoiceRecord invoice)
    {
        if (invoice.Status == "draft")
        {
            Finalize(m, invoice);
        }

        if (invoice.Status == "paid")
        {
            return PaymentOutcome.Paid;
        }

        var customer = m.State.Customers[invoice.CustomerId];
        invoice.AttemptCount++;
        invoice.Attempted = true;
        switch (customer.PaymentBehavior)
        {
            case PaymentBehavior.Succeeding:
                MarkPaid(m, invoice, viaPayment: true);
                return PaymentOutcome.Paid;
            case PaymentBehavior.RequiresAction:
                Payments.ForInvoice(m, invoice).Status = "requires_action";
                customer.Delinquent = true;
                m.Emit("invoice.payment_failed", InvoiceShape.ToJson(invoice, m.State));
                m.Emit("invoice.payment_action_required", InvoiceShape.ToJson(invoice, m.State));
                SubscriptionPastDue(m, invoice);
                return PaymentOutcome.RequiresAction;
            default:
                Payments.ForInvoice(m, invoice).Status = "requires_payment_method";
                customer.Delinquent = true;
                m.Emit("invoice.payment_failed", InvoiceShape.ToJson(invoice, m.State));
                SubscriptionPastDue(m, invoice);
                return PaymentOutcome.Declined;
        }
    }

    /// <summary>Paid: `invoice.paid` (+ `invoice.payment_succeeded` when money moved); a past_due subscription recovers.</summary>
    public static void MarkPaid(Mutation m, InvoiceRecord invoice, bool viaPayment)
    {
        if (viaPayment && invoice.AmountDue > 0)
        {
            var intent = Payments.ForInvoice(m, invoice);
            if (intent.Status != "succeeded")
            {
                Payments.Succeed(m, intent);
            }
        }

        invoice.PaidOutOfBand = !viaPayment;
        invoice.Status = "paid";
        invoice.AmountPaid = invoice.AmountDue;
        invoice.PaidAt = m.Now;
        invoice.AutoAdvance = false;
        m.Emit("invoice.paid", InvoiceShape.ToJson(invoice, m.State));
        if (viaPayment)
        {
            m.Emit("invoice.payment_succeeded", InvoiceShape.ToJson(invoice, m.State));
        }

        var customer = m.State.Customers[invoice.CustomerId];
        customer.Delinquent = m.State.Invoices.Values.Any(other => other.CustomerId == customer.Id && other.Status == "open" && other.Attempted);
        SubscriptionRecovered(m, invoice);
    }

    public static void Void(Mutation m, InvoiceRecord invoice)
    {
        if (invoice.Status != "open" && invoice.Status != "uncollectible")
        {
            throw StripeApiException.InvalidRequest($"You can only void an open or uncollectible invoice; this invoice is {invoice.Status}.", null, "invoice_not_editable");
        }

        invoice.Status = "void";
        invoice.VoidedAt = m.Now;
        CustomerBalances.GiveBackOnVoid(m, invoice);
        invoice.AutoAdvance = false;
        m.Emit("invoice.voided", InvoiceShape.ToJson(invoice, m.State));
        SubscriptionRecovered(m, invoice);
    }

    /// <summary>
    /// open -> uncollectible (`invoice.marked_uncollectible`): no longer collected, still payable or voidable; a
    /// past_due subscription with nothing else owed becomes active again, as when its invoice is voided.
    /// </summary>
    public static void MarkUncollectible(Mutation m, InvoiceRecord invoice, string reason)
    {
        if (invoice.Status != "open")
        {
            throw StripeApiException.InvalidRequest($"You can only mark an open invoice as uncollectible; this invoice is {invoice.Status}.", null, "invoice_not_editable");
        }

        invoice.Status = "uncollectible";
        invoice.MarkedUncollectibleAt = m.Now;
        invoice.UncollectibleReason = reason;
        invoice.AutoAdvance = false;
        m.Emit("invoice.marked_uncollectible", InvoiceShape.ToJson(invoice, m.State));
        SubscriptionRecovered(m, invoice);
    }

    private static void SubscriptionPastDue(Mutation m, InvoiceRecord invoice)
    {
        if (invoice.SubscriptionId is null || !m.State.Subscriptions.TryGetValue(invoice.SubscriptionId, out var subscription))
        {
            return;
        }

        if (subscription.Status is "active" or "trialing")
        {
            Subscriptions.ChangeStatus(m, subscription, "past_due");
        }
    }

    private static void SubscriptionRecovered(Mutation m, InvoiceRecord invoice)
    {
        if (invoice.SubscriptionId is null || !m.State.Subscriptions.TryGetValue(invoice.SubscriptionId, out var subscription))
        {
            return;
        }

        var stillOwing = m.State.Invoices.Values.Any(other => other.SubscriptionId == subscription.Id && other.Status == "open" && other.Attempted);
        if (subscription.Status is "past_due" or "unpaid" or "incomplete" && !stillOwing)
        {
            Subscriptions.ChangeStatus(m, subscription, "active");
        }
    }
}
