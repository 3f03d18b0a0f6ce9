using Billing.StripeEmulator.Billing;
using Billing.StripeEmulator.State;
using Billing.StripeEmulator.Wire;
using Billing.StripeEmulator.Wire.Pipeline;
using Billing.StripeEmulator.Wire.Shapes;

namespace Billing.StripeEmulator.Api;

/// <summary>`/v1/subscriptions`: retrieve, list, update (items, proration, cancel_at_period_end, metadata, trial_end, collection_method, pause_collection), cancel now.</summary>
internal static class SubscriptionsApi
{
    private static readonly string[] UpdateParams =
    [
        "items", "proration_behavior", "cancel_at_period_end", "metadata", "description", "trial_end", "payment_behavior",
        "default_payment_method", "cancellation_details", "proration_date", "off_session", "billing_cycle_anchor", "collection_method",
        "days_until_due", "pause_collection",
    ];

    /// <summary>Stripe's `cancellation_details[feedback]` values (the reasons the portal offers, plus `other`).</summary>
    internal static readonly string[] Feedbacks =
    [
        "customer_service", "low_quality", "missing_features", "other", "switched_service", "too_complex", "too_expensive", "unused",
    ];

    public static IEndpointRouteBuilder MapSubscriptionsApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/v1/subscriptions", List);
        routes.MapGet("/v1/subscriptions/{id}", Retrieve);
        routes.MapPost("/v1/subscriptions/{id}", Update);
        routes.MapDelete("/v1/subscriptions/{id}", Cancel);
        return routes;
    }

    private static IResult Retrieve(string id, HttpContext context, EmulatorStore store) =>
        StripeResults.Json(store.Read(state => Expansion.Apply(SubscriptionShape.ToJson(Lookup.Subscription(state, id), state), context.Params().AllowOnly(), state)));

    private static IResult List(HttpContext context, EmulatorStore store)
    {
        var p = context.Params().AllowOnly("customer", "price", "status", "limit", "starting_after", "ending_before", "created", "collection_method", "test_clock").NotModelled("test_clock");
        var customer = p.NonEmptyString("customer");
        var price = p.NonEmptyString("price");
        var status = p.OneOf("status", "active", "all", "canceled", "ended", "incomplete", "incomplete_expired", "past_due", "paused", "trialing", "unpaid");
        var collection = p.OneOf("collection_method", "charge_automatically", "send_invoice");
        var created = Paging.CreatedFilter(p);
        return StripeResults.Json(store.Read(state =>
        {
            var subscriptions = state.Subscriptions.Values
                .Where(s => customer is null || s.CustomerId == customer)
                .Where(s => price is null || s.Items.Exists(i => i.PriceId == price))
                .Where(s => status switch
                {
                    null => s.Status != "canceled",
                    "all" => true,
                    "ended" => s.Status == "canceled",
                    _ => s.Status == status,
                })
                .Where(s => collection is null || s.CollectionMethod == collection)
                .Where(s => created(s.Created))
                .OrderByDescending(s => s.Sequence)
                .ToList();
            return Expansion.Apply(Paging.Page(subscriptions, s => s.Id, s => SubscriptionShape.ToJson(s, state), p, "/v1/subscriptions", "subscription"), p, state);
        }));
    }

    private static IResult Update(string id, HttpContext context, EmulatorStore store, RenewalEngine engine)
    {
        // Stripe's default payment_behavior (allow_incomplete: the update applies, a failed charge leaves the invoice open
        // and the subscription past_due) is what the emulator does; proration_date, off_session and the others are not modelled.
        var p = context.Params().AllowOnly(UpdateParams).NotModelled("proration_date", "off_session").NotModelledUnless("payment_behavior", "allow_incomplete");
        var change = ParseChange(p);
        var json = store.Write(context.RequestInfo(), m =>
        {
            var subscription = Lookup.Subscription(m.State, id);
            SubscriptionUpdates.Apply(m, subscription, change);
            return subscription;
        });
        engine.RunDue();
        return StripeResults.Json(store.Read(state => Expansion.Apply(SubscriptionShape.ToJson(json, state), p, state)));
    }

    /// <summary>
    /// `DELETE /v1/subscriptions/{id}`: ends it now (`customer.subscription.deleted`). `prorate=true` credits the
    /// unused time as pending proration items; `invoice_now=true` puts the pending items on a final invoice at once.
    /// </summary>
    private static IResult Cancel(string id, HttpContext context, EmulatorStore store)
    {
        var p = context.Params().AllowOnly("invoice_now", "prorate", "cancellation_details");
        var invoiceNow = p.Bool("invoice_now") ?? false;
        var prorate = p.Bool("prorate") ?? false;
        var details = p.Child("cancellation_details")?.AllowOnly("comment", "feedback");
        var comment = details?.NonEmptyString("comment");
        var feedback = details?.OneOf("feedback", Feedbacks);
        var json = store.Write(context.RequestInfo(), m =>
        {
            var subscription = Lookup.Subscription(m.State, id);
            subscription.CancellationComment = comment ?? subscription.CancellationComment;
            subscription.CancellationFeedback = feedback ?? subscription.CancellationFeedback;

            Subscriptions.CancelNow(m, subscription, prorate, invoiceNow);
            return Expansion.Apply(SubscriptionShape.ToJson(subscription, m.State), p, m.State);
        });
        return StripeResults.Json(json);
    }

    /// <summary>Reads the update parameters (validation only; ids are checked against the state later).</summary>
    internal static SubscriptionChange ParseChange(StripeParams p)
    {
        var items = p.List("items").Select(item =>
        {
            item.AllowOnly("id", "price", "quantity", "deleted", "metadata", "clear_usage", "discounts", "tax_rates", "price_data", "billing_thresholds")
                .NotModelled("clear_usage", "discounts", "tax_rates", "billing_thresholds");
            if (item.Has("price_data"))
            {
                throw StripeApiException.ParameterInvalid(item.ParamName("price_data"), "The emulator needs existing prices: pass `price`.");
            }

            var quantity = item.NonNegativeLong("quantity");
            return new ItemChange(
                ItemPrefix(item),
                item.NonEmptyString("id"),
                item.NonEmptyString("price"),
                quantity,
                item.Bool("deleted") ?? false,
                item.Metadata());
        }).ToList();

        var details = p.Child("cancellation_details")?.AllowOnly("comment", "feedback");
        var collection = p.OneOf("collection_method", "charge_automatically", "send_invoice");
        var daysUntilDue = p.NonNegativeLong("days_until_due");
        if (daysUntilDue is not null && collection != "send_invoice")
        {
            throw StripeApiException.InvalidRequest("`days_until_due` is only allowed with `collection_method=send_invoice`.", "days_until_due");
        }

        if (collection == "send_invoice" && daysUntilDue is null)
        {
            throw StripeApiException.InvalidRequest("Subscriptions with `collection_method=send_invoice` need `days_until_due`.", "days_until_due");
        }

        return new SubscriptionChange
        {
            Items = items,
            ProrationBehavior = p.OneOf("proration_behavior", "always_invoice", "create_prorations", "none") ?? "create_prorations",
            CancelAtPeriodEnd = p.Bool("cancel_at_period_end"),
            CancellationFeedback = details?.OneOf("feedback", Feedbacks),
            CancellationComment = details?.NonEmptyString("comment"),
            Metadata = p.Metadata(),
            Description = p.String("description"),
            TrialEnd = TrialEnd(p),
            ResetBillingCycleAnchor = p.OneOf("billing_cycle_anchor", "now", "unchanged") == "now",
            DefaultPaymentMethod = p.NonEmptyString("default_payment_method"),
            CollectionMethod = collection,
            DaysUntilDue = daysUntilDue,
            PauseCollection = PauseCollection(p),
        };
    }

    /// <summary>`pause_collection[behavior]` (with an optional `resumes_at`) pauses; `pause_collection=` clears the pause.</summary>
    private static PauseCollectionChange? PauseCollection(StripeParams p)
    {
        var pause = p.Child("pause_collection")?.AllowOnly("behavior", "resumes_at");
        if (pause is null)
        {
            return null;
        }

        if (!pause.Names.Any())
        {
            return new PauseCollectionChange(null, null);
        }

        var behavior = pause.OneOf("behavior", "keep_as_draft", "mark_uncollectible", "void")
            ?? throw StripeApiException.ParameterMissing(pause.ParamName("behavior"));
        return new PauseCollectionChange(behavior, pause.Long("resumes_at"));
    }

    /// <summary>"items[0]" for the item at index 0 (its own parameter names minus the last segment).</summary>
    private static string ItemPrefix(StripeParams item) => item.ParamName("x")[..^3];

    /// <summary>`trial_end=now` becomes 0: the update clamps a trial end to the current time.</summary>
    private static long? TrialEnd(StripeParams p) =>
        p.NonEmptyString("trial_end") == "now" ? 0 : p.Long("trial_end");
}
