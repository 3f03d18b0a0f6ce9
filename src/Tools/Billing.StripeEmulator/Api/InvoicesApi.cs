using Billing.StripeEmulator.Billing;
using Billing.StripeEmulator.State;
using Billing.StripeEmulator.Wire;
using Billing.StripeEmulator.Wire.Pipeline;
using Billing.StripeEmulator.Wire.Shapes;

namespace Billing.StripeEmulator.Api;

/// <summary>
/// `/v1/invoices`: create (pending items only with `pending_invoice_items_behavior=include`, the default being
/// exclude; with `subscription`, that subscription's pending items, and `pending_invoice_items_behavior` is refused
/// as Stripe refuses it), update, delete (one-off drafts only), finalize, pay (402 card_error when the customer's method fails), void, mark uncollectible,
/// retrieve, list, lines.
/// </summary>
internal static class InvoicesApi
{
    /// <summary>The spec's `maxLength` of an invoice's `description` (the Dashboard's memo).</summary>
    private const int MaxDescriptionLength = 1500;

    public static IEndpointRouteBuilder MapInvoicesApi(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/v1/invoices", Create);
        routes.MapGet("/v1/invoices", List);
        routes.MapGet("/v1/invoices/{id}", Retrieve);
        routes.MapPost("/v1/invoices/{id}", Update);
        routes.MapDelete("/v1/invoices/{id}", Delete);
        routes.MapGet("/v1/invoices/{id}/lines", Lines);
        routes.MapPost("/v1/invoices/{id}/finalize", FinalizeInvoice);
        routes.MapPost("/v1/invoices/{id}/pay", Pay);
        routes.MapPost("/v1/invoices/{id}/void", VoidInvoice);
        routes.MapPost("/v1/invoices/{id}/mark_uncollectible", MarkUncollectible);
        routes.MapGet("/v1/invoice_payments", ListPayments);
        routes.MapGet("/v1/invoice_payments/{id}", RetrievePayment);
        return routes;
    }

    private static IResult Create(HttpContext context, EmulatorStore store)
    {
        var p = context.Params().AllowOnly(
            "customer", "auto_advance", "collection_method", "days_until_due", "due_date", "currency", "description", "metadata",
            "pending_invoice_items_behavior", "subscription", "footer", "default_payment_method", "default_source", "automatic_tax", "custom_fields",
            "statement_descriptor", "account_tax_ids", "default_tax_rates", "discounts", "rendering", "payment_settings")
            .NotModelled("footer", "automatic_tax", "custom_fields", "statement_descriptor", "account_tax_ids", "default_tax_rates", "rendering", "payment_settings")
            .NotModelledUnless("discounts", string.Empty); // `discounts=` (no discounts, not the customer's): what the emulator, without coupons, always does
        var customerId = p.RequireString("customer");
        var collection = p.OneOf("collection_method", "charge_automatically", "send_invoice") ?? "charge_automatically";
        var daysUntilDue = p.NonNegativeLong("days_until_due");
        var dueDate = p.Long("due_date");
        if (collection == "send_invoice" && daysUntilDue is null && dueDate is null)
        {
            throw StripeApiException.InvalidRequest("Invoices with `collection_method=send_invoice` need `days_until_due` or `due_date`.", "days_until_due");
        }

        if (collection == "charge_automatically" && (daysUntilDue is not null || dueDate is not null))
        {
            throw StripeApiException.InvalidRequest("`days_until_due` and `due_date` are only allowed with `collection_method=send_invoice`.", daysUntilDue is not null ? "days_until_due" : "due_date");
        }

        var behavior = p.OneOf("pending_invoice_items_behavior", "exclude", "include");
        var currency = PricesApi.Currency(p, "currency");
        var subscriptionId = p.NonEmptyString("subscription");
        if (subscriptionId is not null && behavior is not null)
        {
            // Stripe's answer: an invoice for a subscription takes that subscription's pending items, and no behavior
            throw StripeApiException.InvalidRequest("You may only specify one of these parameters: pending_invoice_items_behavior, subscription.", "pending_invoice_items_behavior");
        }

        var defaultPaymentMethod = p.NonEmptyString("default_payment_method");

        // Stripe takes `default_source` on create (openapi spec3, POST /v1/invoices: "ID of the default payment source for
        // the invoice"); the usage invoice sends it for a subscription charged to a legacy source. Stored and shown as given.
        var defaultSource = p.NonEmptyString("default_source");
        var description = p.NonEmptyString("description", MaxDescriptionLength);
        var json = store.Write(context.RequestInfo(), m =>
        {
            var customer = Lookup.Customer(m.State, customerId, "customer");
            if (subscriptionId is not null)
            {
                var subscription = Lookup.Subscription(m.State, subscriptionId, "subscription");
                if (subscription.CustomerId != customer.Id)
                {
                    throw StripeApiException.InvalidRequest($"The subscription {subscriptionId} belongs to another customer.", "subscription");
                }
            }

            var invoice = Invoicing.NewDraft(m, customer, "manual", currency ?? customer.Currency ?? "usd", subscriptionId);
            invoice.AutoAdvance = p.Bool("auto_advance") ?? false;
            invoice.Description = description;
            invoice.CollectionMethod = collection;
            invoice.DaysUntilDue = daysUntilDue;
            invoice.DueDate = dueDate;
            invoice.DefaultPaymentMethod = defaultPaymentMethod;
            invoice.DefaultSource = defaultSource;
            p.Metadata()?.ApplyTo(invoice.Metadata);
            if (behavior == "include" || subscriptionId is not null)
            {
                Invoicing.AttachPendingItems(m, invoice, item => item.SubscriptionId == subscriptionId);
            }

            Invoicing.EmitCreated(m, invoice);
            return Expansion.Apply(Shape(invoice, m.State, p), p, m.State);
        });
        return StripeResults.Json(json);
    }

    private static IResult Retrieve(string id, HttpContext context, EmulatorStore store)
    {
        var p = context.Params().AllowOnly();
        return StripeResults.Json(store.Read(state => Expansion.Apply(Shape(Lookup.Invoice(state, id), state, p), p, state)));
    }

    private static IResult Update(string id, HttpContext context, EmulatorStore store)
    {
        var p = context.Params().AllowOnly("metadata", "description", "auto_advance", "footer").NotModelled("footer");
        var json = store.Write(context.RequestInfo(), m =>
        {
            var invoice = Lookup.Invoice(m.State, id);
            var before = InvoiceShape.ToJson(invoice, m.State);
            if (p.String("description") is { } description)
            {
                invoice.Description = description.Length == 0 ? null : p.NonEmptyString("description", MaxDescriptionLength);
            }

            if (p.Bool("auto_advance") is { } autoAdvance)
            {
                invoice.AutoAdvance = autoAdvance;
            }

            p.Metadata()?.ApplyTo(invoice.Metadata);
            var after = InvoiceShape.ToJson(invoice, m.State);
            if (PreviousAttributes.Diff(before, after) is { } previous)
            {
                m.Emit("invoice.updated", after, previous);
            }

            return Expansion.Apply(InvoiceShape.ExpandsPayments(p) ? InvoiceShape.WithPayments(after, invoice, m.State) : after, p, m.State);
        });
        return StripeResults.Json(json);
    }

    /// <summary>
    /// `DELETE /v1/invoices/{id}`: a one-off draft is deleted for good with its items (`invoice.deleted`, the invoice as
    /// it was); one that is finalized, or for a subscription, is refused as Stripe refuses it (it must be voided). A
    /// deleted invoice is then unknown (404), as Stripe answers.
    /// </summary>
    private static IResult Delete(string id, HttpContext context, EmulatorStore store)
    {
        Expansion.NothingToExpand(context.Params().AllowOnly());
        var json = store.Write(context.RequestInfo(), m =>
        {
            var invoice = Lookup.Invoice(m.State, id);
            if (invoice.Status != "draft")
            {
                throw StripeApiException.InvalidRequest($"You can only delete draft invoices; this invoice is {invoice.Status}. Void it instead.", null, "invoice_not_editable");
            }

            if (invoice.SubscriptionId is not null)
            {
                throw StripeApiException.InvalidRequest("You can't delete invoices created by subscriptions.", null, "invoice_not_editable");
            }

            var snapshot = InvoiceShape.ToJson(invoice, m.State);
            foreach (var item in m.State.InvoiceItems.Values.Where(item => item.InvoiceId == invoice.Id).ToList())
            {
                m.State.InvoiceItems.Remove(item.Id);
            }

            m.State.Invoices.Remove(invoice.Id);
            m.Emit("invoice.deleted", snapshot);
            return new System.Text.Json.Nodes.JsonObject { ["id"] = invoice.Id, ["object"] = "invoice", ["deleted"] = true };
        });
        return StripeResults.Json(json);
    }

    private static IResult List(HttpContext context, EmulatorStore store)
    {
        var p = context.Params().AllowOnly("customer", "status", "subscription", "collection_method", "limit", "starting_after", "ending_before", "created", "due_date").NotModelled("due_date");
        var customer = p.NonEmptyString("customer");
        var status = p.OneOf("status", "draft", "open", "paid", "uncollectible", "void");
        var subscription = p.NonEmptyString("subscription");
        var collection = p.OneOf("collection_method", "charge_automatically", "send_invoice");
        var created = Paging.CreatedFilter(p);
        return StripeResults.Json(store.Read(state =>
        {
            var invoices = state.Invoices.Values
                .Where(i => customer is null || i.CustomerId == customer)
                .Where(i => status is null || i.Status == status)
                .Where(i => subscription is null || i.SubscriptionId == subscription)
                .Where(i => collection is null || i.CollectionMethod == collection)
                .Where(i => created(i.Created))
                .OrderByDescending(i => i.Sequence)
                .ToList();
            return Expansion.Apply(Paging.Page(invoices, i => i.Id, i => Shape(i, state, p), p, "/v1/invoices", "invoice"), p, state);
        }));
    }

    private static IResult Lines(string id, HttpContext context, EmulatorStore store)
    {
        var p = context.Params().AllowOnly("limit", "starting_after", "ending_before");
        return StripeResults.Json(store.Read(state =>
        {
            var invoice = Lookup.Invoice(state, id);
            return Expansion.Apply(Paging.Page(invoice.Lines, l => l.Id, l => InvoiceShape.LineToJson(l, invoice, state), p, $"/v1/invoices/{id}/lines", "line item"), p, state);
        }));
    }

    private static IResult FinalizeInvoice(string id, HttpContext context, EmulatorStore store)
    {
        var p = context.Params().AllowOnly("auto_advance");
        var json = store.Write(context.RequestInfo(), m =>
        {
            var invoice = Lookup.Invoice(m.State, id);
            if (p.Bool("auto_advance") is { } autoAdvance)
            {
                invoice.AutoAdvance = autoAdvance;
            }

            Invoicing.Finalize(m, invoice);
            return Expansion.Apply(Shape(invoice, m.State, p), p, m.State);
        });
        return StripeResults.Json(json);
    }

    private static IResult Pay(string id, HttpContext context, EmulatorStore store)
    {
        var p = context.Params().AllowOnly("paid_out_of_band", "forgive", "off_session", "payment_method", "source", "mandate")
            .NotModelled("forgive", "off_session", "source", "mandate");
        var outOfBand = p.Bool("paid_out_of_band") ?? false;
        var methodBehavior = p.NonEmptyString("payment_method") is { } method
            ? PaymentBehaviors.Parse(method) ?? throw StripeApiException.NoSuchReference("PaymentMethod", method, "payment_method")
            : (PaymentBehavior?)null;
        var (json, outcome) = store.Write(context.RequestInfo(), m =>
        {
            var invoice = Lookup.Invoice(m.State, id);
            switch (invoice.Status)
            {
                case "paid":
                    throw StripeApiException.InvalidRequest("Invoice is already paid", null);
                case "void":
                    throw StripeApiException.InvalidRequest("This invoice has been voided and can no longer be paid.", null);
            }

            if (methodBehavior is { } behavior)
            {
                Customers.SetPaymentBehavior(m.State.Customers[invoice.CustomerId], behavior);
            }

            PaymentOutcome result;
            if (outOfBand)
            {
                if (invoice.Status == "draft")
                {
                    Invoicing.Finalize(m, invoice);
                }

                if (invoice.Status != "paid")
                {
                    Invoicing.MarkPaid(m, invoice, viaPayment: false);
                }

                result = PaymentOutcome.Paid;
            }
            else
            {
                result = Invoicing.Collect(m, invoice);
            }

            return (Expansion.Apply(Shape(invoice, m.State, p), p, m.State), result);
        });
        return outcome switch
        {
            PaymentOutcome.Declined => throw StripeApiException.CardDeclined(),
            PaymentOutcome.RequiresAction => throw StripeApiException.RequiresAction(),
            _ => StripeResults.Json(json),
        };
    }

    private static IResult VoidInvoice(string id, HttpContext context, EmulatorStore store)
    {
        var p = context.Params().AllowOnly();
        var json = store.Write(context.RequestInfo(), m =>
        {
            var invoice = Lookup.Invoice(m.State, id);
            Invoicing.Void(m, invoice);
            return Expansion.Apply(Shape(invoice, m.State, p), p, m.State);
        });
        return StripeResults.Json(json);
    }

    /// <summary>`POST /v1/invoices/{id}/mark_uncollectible`: an open invoice written off by the user (`user_forgiven`).</summary>
    private static IResult MarkUncollectible(string id, HttpContext context, EmulatorStore store)
    {
        var p = context.Params().AllowOnly();
        var json = store.Write(context.RequestInfo(), m =>
        {
            var invoice = Lookup.Invoice(m.State, id);
            Invoicing.MarkUncollectible(m, invoice, "user_forgiven");
            return Expansion.Apply(Shape(invoice, m.State, p), p, m.State);
        });
        return StripeResults.Json(json);
    }

    /// <summary>`GET /v1/invoice_payments?invoice=`: the payments of an invoice (one per charged invoice here).</summary>
    private static IResult ListPayments(HttpContext context, EmulatorStore store)
    {
        var p = context.Params().AllowOnly("invoice", "payment", "status", "limit", "starting_after", "ending_before", "created").NotModelled("created");
        var invoiceId = p.NonEmptyString("invoice");
        var paymentIntent = p.Child("payment")?.AllowOnly("type", "payment_intent", "payment_record").NotModelled("payment_record").NotModelledUnless("type", "payment_intent").NonEmptyString("payment_intent");
        var status = p.OneOf("status", "canceled", "open", "paid");
        return StripeResults.Json(store.Read(state =>
        {
            var payments = state.Invoices.Values
                .Where(i => invoiceId is null || i.Id == invoiceId)
                .Where(i => paymentIntent is null || i.PaymentIntentId == paymentIntent)
                .OrderByDescending(i => i.Sequence)
                .Select(i => InvoiceShape.InvoicePayment(i, state))
                .OfType<System.Text.Json.Nodes.JsonObject>()
                .Where(json => status is null || json["status"]!.GetValue<string>() == status)
                .ToList();
            return Expansion.Apply(Paging.Page(payments, json => json["id"]!.GetValue<string>(), json => json, p, "/v1/invoice_payments", "invoice payment"), p, state);
        }));
    }

    private static IResult RetrievePayment(string id, HttpContext context, EmulatorStore store)
    {
        var p = context.Params().AllowOnly();
        return StripeResults.Json(store.Read(state =>
        {
            var invoice = state.Invoices.Values.FirstOrDefault(i => i.InvoicePaymentId == id) ?? throw StripeApiException.NoSuchObject("invoice payment", id);
            return Expansion.Apply(InvoiceShape.InvoicePayment(invoice, state)!, p, state);
        }));
    }

    private static System.Text.Json.Nodes.JsonObject Shape(State.Objects.InvoiceRecord invoice, EmulatorState state, StripeParams p)
    {
        var json = InvoiceShape.ToJson(invoice, state);
        return InvoiceShape.ExpandsPayments(p) ? InvoiceShape.WithPayments(json, invoice, state) : json;
    }
}
