using System.Net;
using Billing.StripeEmulator.Tests.Infrastructure;

namespace Billing.StripeEmulator.Tests;

public sealed class SubscriptionChangeTests(EmulatorFixture emulator) : IClassFixture<EmulatorFixture>, IAsyncLifetime
{
    private StripeApiClient Stripe => emulator.Stripe;

    public Task InitializeAsync() => emulator.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Changing_the_price_raises_updated_with_the_old_item_price_and_plan()
    {
        var subscriptionId = (await Flows.SubscribeAsync(Stripe, "price_basic_monthly")).Str("subscription");
        var itemId = (await Flows.GetSubscriptionAsync(Stripe, subscriptionId)).Item().Str("id");
        await emulator.Receiver.WaitForTypesAsync("invoice.payment_succeeded");
        emulator.Receiver.Clear();

        var updated = (await Stripe.PostAsync(
            $"/v1/subscriptions/{subscriptionId}",
            ("items[0][id]", itemId),
            ("items[0][price]", "price_pro_monthly"),
            ("proration_behavior", "none"),
            ("metadata[plan]", "pro"))).EnsureOk().Body;
        var deliveries = await emulator.Receiver.WaitForTypesAsync("customer.subscription.updated");

        Assert.Equal(itemId, updated.Item().Str("id"));
        Assert.Equal("price_pro_monthly", updated.Item()["price"]!.Str("id"));
        Assert.Equal("pro", updated["metadata"]!.Str("plan"));
        var previous = deliveries.Single().Event!["data"]!["previous_attributes"]!;
        var previousItem = previous["items"]!.Data()[0]!;
        Assert.Equal("price_basic_monthly", previousItem["price"]!.Str("id"));
        Assert.Equal("price_basic_monthly", previousItem["plan"]!.Str("id"));
        Assert.Null(previous["metadata"]!["plan"]);
        Assert.Equal("price_pro_monthly", deliveries.Single().DataObject.Item()["price"]!.Str("id"));
        var pending = (await Stripe.GetAsync($"/v1/invoiceitems?customer={updated.Str("customer")}&pending=true")).EnsureOk().Body.Data();
        Assert.Empty(pending);
    }

    [Fact]
    public async Task Default_prorations_become_pending_items_billed_at_renewal()
    {
        var completed = await Flows.SubscribeAsync(Stripe, "price_basic_monthly");
        var subscriptionId = completed.Str("subscription");
        var subscription = await Flows.GetSubscriptionAsync(Stripe, subscriptionId);
        var periodEnd = subscription.Item().Number("current_period_end");
        await Flows.AdvanceToAsync(Stripe, (subscription.Item().Number("current_period_start") + periodEnd) / 2);

        (await Stripe.PostAsync($"/v1/subscriptions/{subscriptionId}", ("items[0][id]", subscription.Item().Str("id")), ("items[0][price]", "price_pro_monthly"))).EnsureOk();
        var pending = (await Stripe.GetAsync($"/v1/invoiceitems?customer={completed.Str("customer")}&pending=true")).EnsureOk().Body.Data();

        Assert.Equal(2, pending.Count);
        Assert.All(pending, item => Assert.True(item!.Bool("proration")));
        var credit = pending.Single(i => i!.Number("amount") < 0)!;
        var charge = pending.Single(i => i!.Number("amount") > 0)!;
        Assert.InRange(credit.Number("amount"), -951, -949);
        Assert.InRange(charge.Number("amount"), 2449, 2451);
        Assert.Equal(subscriptionId, charge["parent"]!["subscription_details"]!.Str("subscription"));

        await Flows.AdvanceToAsync(Stripe, periodEnd + 5);
        var renewal = (await Stripe.GetAsync($"/v1/invoices?subscription={subscriptionId}&limit=1")).EnsureOk().Body.Data()[0]!;
        Assert.Equal("paid", renewal.Str("status"));
        Assert.Equal(3, renewal["lines"]!.Data().Count);
        Assert.Equal(4900 + credit.Number("amount") + charge.Number("amount"), renewal.Number("total"));
    }

    [Fact]
    public async Task Always_invoice_bills_the_proration_at_once()
    {
        var completed = await Flows.SubscribeAsync(Stripe, "price_basic_monthly");
        var subscription = await Flows.GetSubscriptionAsync(Stripe, completed.Str("subscription"));
        await emulator.Receiver.WaitForTypesAsync("invoice.payment_succeeded");
        emulator.Receiver.Clear();

        var updated = (await Stripe.PostAsync(
            $"/v1/subscriptions/{subscription.Str("id")}",
            ("items[0][id]", subscription.Item().Str("id")),
            ("items[0][price]", "price_pro_monthly"),
            ("proration_behavior", "always_invoice"))).EnsureOk().Body;
        var deliveries = await emulator.Receiver.WaitForTypesAsync("customer.subscription.updated", "invoice.paid");

        var invoice = deliveries.Single(d => d.Type == "invoice.paid").DataObject;
        Assert.Equal("subscription_update", invoice.Str("billing_reason"));
        Assert.Equal(updated.Str("latest_invoice"), invoice.Str("id"));
        Assert.InRange(invoice.Number("amount_paid"), 2990, 3000);
        Assert.Equal(2, invoice["lines"]!.Data().Count);
    }

    [Fact]
    public async Task Switching_to_a_yearly_price_restarts_the_period_and_invoices_now()
    {
        var completed = await Flows.SubscribeAsync(Stripe, "price_pro_monthly");
        var subscription = await Flows.GetSubscriptionAsync(Stripe, completed.Str("subscription"));

        var updated = (await Stripe.PostAsync(
            $"/v1/subscriptions/{subscription.Str("id")}",
            ("items[0][id]", subscription.Item().Str("id")),
            ("items[0][price]", "price_pro_yearly"),
            ("proration_behavior", "none"))).EnsureOk().Body;

        var item = updated.Item();
        Assert.InRange(item.Number("current_period_end") - item.Number("current_period_start"), 365 * 86400, 366 * 86400);
        var invoice = (await Stripe.GetAsync($"/v1/invoices/{updated.Str("latest_invoice")}")).EnsureOk().Body;
        Assert.Equal("subscription_update", invoice.Str("billing_reason"));
        Assert.Equal(49000, invoice.Number("amount_paid"));
    }

    [Fact]
    public async Task Billing_cycle_anchor_now_restarts_the_period_now_and_invoices_it_at_once()
    {
        // Stripe: billing_cycle_anchor=now "resets the subscription's billing cycle anchor to the current time (in UTC)":
        // a new period starts now, is invoiced at once, and later periods count from the new anchor.
        var completed = await Flows.SubscribeAsync(Stripe, "price_basic_monthly");
        var subscriptionId = completed.Str("subscription");
        await Flows.AdvanceAsync(Stripe, TimeSpan.FromDays(10));
        var now = (await Stripe.ControlGetAsync("/_emulator/clock")).EnsureOk().Body.Number("now");

        var updated = (await Stripe.PostAsync($"/v1/subscriptions/{subscriptionId}", ("billing_cycle_anchor", "now"), ("proration_behavior", "none"))).EnsureOk().Body;

        Assert.InRange(updated.Number("billing_cycle_anchor") - now, 0, 59); // real time runs on while the test does
        var anchor = updated.Number("billing_cycle_anchor");
        Assert.Equal(anchor, updated.Item().Number("current_period_start"));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(anchor).AddMonths(1).ToUnixTimeSeconds(), updated.Item().Number("current_period_end"));
        var invoice = (await Stripe.GetAsync($"/v1/invoices/{updated.Str("latest_invoice")}")).EnsureOk().Body;
        Assert.Equal("subscription_update", invoice.Str("billing_reason"));
        Assert.Equal(1900, invoice.Number("amount_paid"));
        Assert.Equal(HttpStatusCode.BadRequest, (await Stripe.PostAsync($"/v1/subscriptions/{subscriptionId}", ("billing_cycle_anchor", "tomorrow"))).Status);
        Assert.Equal(anchor, (await Stripe.PostAsync($"/v1/subscriptions/{subscriptionId}", ("billing_cycle_anchor", "unchanged"))).EnsureOk().Body.Number("billing_cycle_anchor"));

        // With prorations (the default) the unused two thirds of the old period are credited on that invoice.
        await Flows.AdvanceAsync(Stripe, TimeSpan.FromDays(10));
        var prorated = (await Stripe.PostAsync($"/v1/subscriptions/{subscriptionId}", ("billing_cycle_anchor", "now"))).EnsureOk().Body;
        var lines = (await Stripe.GetAsync($"/v1/invoices/{prorated.Str("latest_invoice")}")).EnsureOk().Body["lines"]!.Data();
        Assert.InRange(lines.Where(l => l!.Number("amount") < 0).Sum(l => l!.Number("amount")), -1300, -1200);
        Assert.Equal(1900, lines.Where(l => l!.Number("amount") > 0).Sum(l => l!.Number("amount")));
    }

    [Fact]
    public async Task Portal_actions_change_price_schedule_cancellation_and_cancel_now()
    {
        var completed = await Flows.SubscribeAsync(Stripe, "price_basic_monthly");
        var customer = completed.Str("customer");
        await emulator.Receiver.WaitForTypesAsync("invoice.payment_succeeded");
        emulator.Receiver.Clear();

        var changed = (await Stripe.ControlAsync($"/_emulator/portal/{customer}/change_price", ("price", "price_pro_monthly"))).EnsureOk().Body;
        var change = await emulator.Receiver.WaitForTypesAsync("customer.subscription.updated");
        Assert.Equal("price_pro_monthly", changed.Item()["price"]!.Str("id"));
        Assert.Equal("price_basic_monthly", change.Single(d => d.Type == "customer.subscription.updated").Event!["data"]!["previous_attributes"]!["items"]!.Data()[0]!["price"]!.Str("id"));

        emulator.Receiver.Clear();
        var scheduled = (await Stripe.ControlAsync($"/_emulator/portal/{customer}/cancel_at_period_end", ("feedback", "too_expensive"))).EnsureOk().Body;
        var schedule = await emulator.Receiver.WaitForTypesAsync("customer.subscription.updated");
        Assert.True(scheduled.Bool("cancel_at_period_end"));
        Assert.Equal("too_expensive", scheduled["cancellation_details"]!.Str("feedback"));
        var previous = schedule.Single().Event!["data"]!["previous_attributes"]!;
        Assert.False(previous.Bool("cancel_at_period_end"));
        Assert.Null(previous["cancel_at"]);

        emulator.Receiver.Clear();
        var canceled = (await Stripe.ControlAsync($"/_emulator/portal/{customer}/cancel_now")).EnsureOk().Body;
        await emulator.Receiver.WaitForTypesAsync("customer.subscription.deleted");
        Assert.Equal("canceled", canceled.Str("status"));

        var none = await Stripe.ControlAsync($"/_emulator/portal/{customer}/cancel_now");
        Assert.Equal(HttpStatusCode.BadRequest, none.Status);
    }

    [Fact]
    public async Task Invalid_item_changes_are_rejected_without_changing_anything()
    {
        var subscriptionId = (await Flows.SubscribeAsync(Stripe, "price_basic_monthly")).Str("subscription");

        var unknownItem = await Stripe.PostAsync($"/v1/subscriptions/{subscriptionId}", ("items[0][id]", "si_missing"), ("items[0][price]", "price_pro_monthly"));
        var oneTime = await Stripe.PostAsync($"/v1/subscriptions/{subscriptionId}", ("items[0][price]", "price_credits_1000"));
        var badProration = await Stripe.PostAsync($"/v1/subscriptions/{subscriptionId}", ("proration_behavior", "sometimes"));
        var unknown = await Stripe.PostAsync("/v1/subscriptions/sub_missing", ("metadata[a]", "b"));

        Assert.Equal("items[0][id]", unknownItem.Error.Str("param"));
        Assert.Equal(HttpStatusCode.BadRequest, oneTime.Status);
        Assert.Equal("proration_behavior", badProration.Error.Str("param"));
        Assert.Equal(HttpStatusCode.NotFound, unknown.Status);
        var subscription = await Flows.GetSubscriptionAsync(Stripe, subscriptionId);
        Assert.Single(subscription["items"]!.Data());
        Assert.Equal("price_basic_monthly", subscription.Item()["price"]!.Str("id"));
    }

    [Fact]
    public async Task Trial_end_now_ends_the_trial_at_once_and_latest_invoice_expands()
    {
        var subscriptionId = (await Flows.SubscribeAsync(Stripe, "price_basic_monthly", trialDays: 30)).Str("subscription");

        (await Stripe.PostAsync($"/v1/subscriptions/{subscriptionId}", ("trial_end", "now"))).EnsureOk();
        var expanded = (await Stripe.GetAsync($"/v1/subscriptions/{subscriptionId}?expand[]=latest_invoice")).EnsureOk().Body;

        Assert.Equal("active", expanded.Str("status"));
        var invoice = expanded["latest_invoice"]!;
        Assert.Equal("invoice", invoice.Str("object"));
        Assert.Equal("paid", invoice.Str("status"));
        Assert.Equal(1900, invoice.Number("amount_paid"));
        Assert.Equal(expanded.Number("trial_end"), expanded.Item().Number("current_period_start"));
    }

    [Fact]
    public async Task A_trial_end_on_an_active_subscription_is_refused_rather_than_ignored()
    {
        // Stripe puts an active subscription into a trial until trial_end and charges nothing until then; the emulator
        // does not model that, and ignoring it would leave the subscription active and billed.
        var subscriptionId = (await Flows.SubscribeAsync(Stripe, "price_basic_monthly")).Str("subscription");
        var before = await Flows.GetSubscriptionAsync(Stripe, subscriptionId);
        var trialEnd = before.Item().Number("current_period_start") + (20 * 86400);

        var refused = await Stripe.PostAsync($"/v1/subscriptions/{subscriptionId}", ("trial_end", trialEnd.ToString(System.Globalization.CultureInfo.InvariantCulture)));

        ParameterTests.AssertRefused(refused, "trial_end", "trial_end on an active subscription");
        var after = await Flows.GetSubscriptionAsync(Stripe, subscriptionId);
        Assert.Equal(("active", before.Item().Number("current_period_end")), (after.Str("status"), after.Item().Number("current_period_end")));
    }

    [Fact]
    public async Task A_trial_end_in_the_past_is_refused_as_Stripe_refuses_it_rather_than_ending_the_trial_now()
    {
        var subscriptionId = (await Flows.SubscribeAsync(Stripe, "price_basic_monthly", trialDays: 30)).Str("subscription");
        var before = await Flows.GetSubscriptionAsync(Stripe, subscriptionId);

        var refused = await Stripe.PostAsync($"/v1/subscriptions/{subscriptionId}", ("trial_end", (before.Number("trial_start") - 3600).ToString(System.Globalization.CultureInfo.InvariantCulture)));

        ParameterTests.AssertRefused(refused, "trial_end", "trial_end in the past");
        Assert.Equal("Invalid timestamp: must be an integer Unix timestamp in the future.", refused.Error.Str("message"));
        var after = await Flows.GetSubscriptionAsync(Stripe, subscriptionId);
        Assert.Equal(("trialing", before.Number("trial_end")), (after.Str("status"), after.Number("trial_end")));
    }

    [Fact]
    public async Task Update_parameters_the_emulator_does_not_model_are_refused_and_change_nothing()
    {
        var subscriptionId = (await Flows.SubscribeAsync(Stripe, "price_basic_monthly")).Str("subscription");
        var itemId = (await Flows.GetSubscriptionAsync(Stripe, subscriptionId)).Item().Str("id");
        var now = (await Stripe.ControlGetAsync("/_emulator/clock")).EnsureOk().Body.Number("now");
        var change = new[] { ("items[0][id]", itemId), ("items[0][price]", "price_pro_monthly"), ("proration_behavior", "always_invoice") };
        (string Key, string Value, string Param)[] unmodelled =
        [
            ("payment_behavior", "error_if_incomplete", "payment_behavior"),
            ("payment_behavior", "pending_if_incomplete", "payment_behavior"),
            ("proration_date", (now - 86400).ToString(System.Globalization.CultureInfo.InvariantCulture), "proration_date"),
            ("off_session", "true", "off_session"),
            ("items[0][tax_rates][0]", "txr_1", "items[0][tax_rates]"),
            ("items[0][discounts][0][coupon]", "co_1", "items[0][discounts]"),
        ];

        foreach (var (key, value, param) in unmodelled)
        {
            ParameterTests.AssertRefused(await Stripe.PostAsync($"/v1/subscriptions/{subscriptionId}", [.. change, (key, value)]), param, key);
        }

        Assert.Equal("price_basic_monthly", (await Flows.GetSubscriptionAsync(Stripe, subscriptionId)).Item()["price"]!.Str("id"));
        var applied = (await Stripe.PostAsync($"/v1/subscriptions/{subscriptionId}", [.. change, ("payment_behavior", "allow_incomplete")])).EnsureOk().Body;
        Assert.Equal("price_pro_monthly", applied.Item()["price"]!.Str("id"));
    }

    [Fact]
    public async Task Cancellation_details_given_without_a_cancellation_are_stored_as_Stripe_stores_them()
    {
        var subscriptionId = (await Flows.SubscribeAsync(Stripe, "price_basic_monthly")).Str("subscription");
        (await Stripe.DeleteAsync($"/v1/subscriptions/{subscriptionId}")).EnsureOk();

        var updated = (await Stripe.PostAsync(
            $"/v1/subscriptions/{subscriptionId}",
            ("cancellation_details[feedback]", "too_expensive"),
            ("cancellation_details[comment]", "Told support afterwards"))).EnsureOk().Body;

        Assert.Equal(("too_expensive", "Told support afterwards"), (updated["cancellation_details"]!.Str("feedback"), updated["cancellation_details"]!.Str("comment")));
        Assert.Equal("too_expensive", (await Flows.GetSubscriptionAsync(Stripe, subscriptionId))["cancellation_details"]!.Str("feedback"));
    }

    [Fact]
    public async Task Cancellation_feedback_that_is_not_one_of_Stripes_reasons_is_refused()
    {
        var subscriptionId = (await Flows.SubscribeAsync(Stripe, "price_basic_monthly")).Str("subscription");

        var update = await Stripe.PostAsync($"/v1/subscriptions/{subscriptionId}", ("cancel_at_period_end", "true"), ("cancellation_details[feedback]", "too_pricey"));
        var cancel = await Stripe.DeleteAsync($"/v1/subscriptions/{subscriptionId}?cancellation_details[feedback]=Too%20expensive");

        ParameterTests.AssertRefused(update, "cancellation_details[feedback]", "update");
        ParameterTests.AssertRefused(cancel, "cancellation_details[feedback]", "cancel");
        var subscription = await Flows.GetSubscriptionAsync(Stripe, subscriptionId);
        Assert.Equal(("active", false), (subscription.Str("status"), subscription.Bool("cancel_at_period_end")));
        Assert.Null(subscription["cancellation_details"]!["feedback"]);
    }
}
