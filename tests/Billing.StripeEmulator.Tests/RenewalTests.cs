using System.Net;
using Billing.StripeEmulator.Tests.Infrastructure;

namespace Billing.StripeEmulator.Tests;

public sealed class RenewalTests(EmulatorFixture emulator) : IClassFixture<EmulatorFixture>, IAsyncLifetime
{
    private StripeApiClient Stripe => emulator.Stripe;

    public Task InitializeAsync() => emulator.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Advancing_past_the_period_end_renews_with_a_paid_invoice_and_a_new_period()
    {
        var subscriptionId = (await Flows.SubscribeAsync(Stripe)).Str("subscription");
        var before = await Flows.GetSubscriptionAsync(Stripe, subscriptionId);
        var oldEnd = before.Item().Number("current_period_end");
        await emulator.Receiver.WaitForTypesAsync("invoice.payment_succeeded");
        emulator.Receiver.Clear();

        var clock = (await Flows.AdvanceToAsync(Stripe, oldEnd + 60)).EnsureOk().Body;
        var deliveries = await emulator.Receiver.WaitForTypesAsync("customer.subscription.updated", "invoice.created", "invoice.finalized", "invoice.paid", "invoice.payment_succeeded");

        Assert.True(clock.Number("now") >= oldEnd + 60);
        var after = await Flows.GetSubscriptionAsync(Stripe, subscriptionId);
        Assert.Equal("active", after.Str("status"));
        Assert.Equal(oldEnd, after.Item().Number("current_period_start"));
        Assert.True(after.Item().Number("current_period_end") - oldEnd is >= 28 * 86400 and <= 31 * 86400);

        var updated = deliveries.First(d => d.Type == "customer.subscription.updated").Event!["data"]!;
        Assert.Equal(oldEnd, updated["previous_attributes"]!["items"]!.Data()[0]!.Number("current_period_end"));
        var paid = deliveries.Single(d => d.Type == "invoice.paid").DataObject;
        Assert.Equal("subscription_cycle", paid.Str("billing_reason"));
        Assert.Equal(4900, paid.Number("amount_paid"));
        Assert.Equal(after.Str("latest_invoice"), paid.Str("id"));
        Assert.Equal(oldEnd, paid["lines"]!.Data()[0]!["period"]!.Number("start"));
        Assert.Equal(
            ["customer.subscription.updated", "invoice.created", "invoice.finalized", "invoice.paid", "invoice.payment_succeeded"],
            deliveries.Select(d => d.Type));
    }

    [Fact]
    public async Task A_failing_payment_method_makes_the_renewal_fail_and_the_subscription_past_due_until_paid()
    {
        var completed = await Flows.SubscribeAsync(Stripe, "price_basic_monthly");
        var customer = completed.Str("customer");
        var subscriptionId = completed.Str("subscription");
        await emulator.Receiver.WaitForTypesAsync("invoice.payment_succeeded");
        (await Stripe.ControlAsync($"/_emulator/customers/{customer}/payment_method", ("behavior", "failing"))).EnsureOk();
        emulator.Receiver.Clear();

        await Flows.AdvanceAsync(Stripe, TimeSpan.FromDays(32));
        var failed = await emulator.Receiver.WaitForAsync(d => d.Count(x => x.Type == "customer.subscription.updated") >= 2 && d.Any(x => x.Type == "invoice.payment_failed"));

        var pastDue = failed.Last(d => d.Type == "customer.subscription.updated");
        Assert.Equal("past_due", pastDue.DataObject.Str("status"));
        Assert.Equal("active", pastDue.Event!["data"]!["previous_attributes"]!.Str("status"));
        var invoiceId = failed.Single(d => d.Type == "invoice.payment_failed").DataObject.Str("id");
        Assert.Equal("past_due", (await Flows.GetSubscriptionAsync(Stripe, subscriptionId)).Str("status"));
        Assert.True((await Stripe.GetAsync($"/v1/customers/{customer}")).EnsureOk().Body.Bool("delinquent"));

        (await Stripe.ControlAsync($"/_emulator/customers/{customer}/payment_method", ("behavior", "succeeding"))).EnsureOk();
        emulator.Receiver.Clear();
        var paid = (await Stripe.PostAsync($"/v1/invoices/{invoiceId}/pay")).EnsureOk().Body;
        var recovered = await emulator.Receiver.WaitForTypesAsync("invoice.paid", "customer.subscription.updated");

        Assert.Equal("paid", paid.Str("status"));
        Assert.Equal(2, paid.Number("attempt_count"));
        Assert.Equal("active", recovered.Single(d => d.Type == "customer.subscription.updated").DataObject.Str("status"));
        Assert.Equal("active", (await Flows.GetSubscriptionAsync(Stripe, subscriptionId)).Str("status"));
    }

    [Fact]
    public async Task A_payment_needing_authentication_raises_payment_action_required()
    {
        var completed = await Flows.SubscribeAsync(Stripe, paymentMethod: "requires_action");
        Assert.Equal("paid", completed.Str("payment_status"));
        (await Stripe.ControlAsync($"/_emulator/customers/{completed.Str("customer")}/payment_method", ("behavior", "requires_action"))).EnsureOk();

        await Flows.AdvanceAsync(Stripe, TimeSpan.FromDays(32));
        var deliveries = await emulator.Receiver.WaitForTypesAsync("invoice.payment_action_required");

        var invoice = deliveries.Single(d => d.Type == "invoice.payment_action_required").DataObject;
        Assert.Equal("open", invoice.Str("status"));
        Assert.Equal("subscription_cycle", invoice.Str("billing_reason"));
        Assert.Equal("past_due", (await Flows.GetSubscriptionAsync(Stripe, completed.Str("subscription"))).Str("status"));
    }

    [Fact]
    public async Task A_trial_warns_three_days_before_and_converts_to_active_with_a_paid_invoice()
    {
        var subscriptionId = (await Flows.SubscribeAsync(Stripe, "price_pro_monthly", trialDays: 7)).Str("subscription");
        var trialEnd = (await Flows.GetSubscriptionAsync(Stripe, subscriptionId)).Number("trial_end");
        await emulator.Receiver.WaitForTypesAsync("invoice.payment_succeeded");
        emulator.Receiver.Clear();

        await Flows.AdvanceAsync(Stripe, TimeSpan.FromDays(4) + TimeSpan.FromHours(1));
        var warning = await emulator.Receiver.WaitForTypesAsync("customer.subscription.trial_will_end");
        Assert.Equal("trialing", warning.Single().DataObject.Str("status"));
        Assert.Equal(trialEnd - (3 * 86400), warning.Single().Event!.Number("created"));

        await Flows.AdvanceToAsync(Stripe, trialEnd + 10);
        var converted = await emulator.Receiver.WaitForTypesAsync("customer.subscription.updated", "invoice.paid");

        var updated = converted.First(d => d.Type == "customer.subscription.updated");
        Assert.Equal("active", updated.DataObject.Str("status"));
        Assert.Equal("trialing", updated.Event!["data"]!["previous_attributes"]!.Str("status"));
        Assert.Equal(4900, converted.Single(d => d.Type == "invoice.paid").DataObject.Number("amount_paid"));
        var subscription = await Flows.GetSubscriptionAsync(Stripe, subscriptionId);
        Assert.Equal(trialEnd, subscription.Item().Number("current_period_start"));
        Assert.Equal(trialEnd, subscription.Number("billing_cycle_anchor"));
    }

    [Fact]
    public async Task Cancel_at_period_end_ends_the_subscription_when_the_period_is_over()
    {
        var subscriptionId = (await Flows.SubscribeAsync(Stripe)).Str("subscription");
        await emulator.Receiver.WaitForTypesAsync("invoice.payment_succeeded");
        emulator.Receiver.Clear();

        var scheduled = (await Stripe.PostAsync($"/v1/subscriptions/{subscriptionId}", ("cancel_at_period_end", "true"))).EnsureOk().Body;
        var update = await emulator.Receiver.WaitForTypesAsync("customer.subscription.updated");
        Assert.True(scheduled.Bool("cancel_at_period_end"));
        Assert.Equal(scheduled.Item().Number("current_period_end"), scheduled.Number("cancel_at"));
        Assert.False(update.Single().Event!["data"]!["previous_attributes"]!.Bool("cancel_at_period_end"));
        Assert.Equal("active", scheduled.Str("status"));

        emulator.Receiver.Clear();
        await Flows.AdvanceToAsync(Stripe, scheduled.Number("cancel_at") + 5);
        var deleted = await emulator.Receiver.WaitForTypesAsync("customer.subscription.deleted");

        Assert.Equal("canceled", deleted.Single().DataObject.Str("status"));
        Assert.Equal(scheduled.Number("cancel_at"), deleted.Single().DataObject.Number("ended_at"));
        await Task.Delay(300);
        Assert.DoesNotContain("invoice.created", emulator.Receiver.AcceptedTypes);
        var invoices = (await Stripe.GetAsync($"/v1/invoices?subscription={subscriptionId}")).EnsureOk().Body.Data();
        Assert.Single(invoices);
    }

    [Fact]
    public async Task Deleting_cancels_now_with_a_deleted_event()
    {
        var subscriptionId = (await Flows.SubscribeAsync(Stripe)).Str("subscription");
        await emulator.Receiver.WaitForTypesAsync("invoice.payment_succeeded");

        var canceled = (await Stripe.DeleteAsync($"/v1/subscriptions/{subscriptionId}")).EnsureOk().Body;
        var deleted = await emulator.Receiver.WaitForTypesAsync("customer.subscription.deleted");
        var again = await Stripe.DeleteAsync($"/v1/subscriptions/{subscriptionId}");

        Assert.Equal("canceled", canceled.Str("status"));
        Assert.NotNull(canceled["canceled_at"]);
        Assert.NotNull(canceled["ended_at"]);
        Assert.Equal(subscriptionId, deleted.Single(d => d.Type == "customer.subscription.deleted").DataObject.Str("id"));
        Assert.Equal(HttpStatusCode.NotFound, again.Status); // Stripe: "No such subscription" for one already canceled
        Assert.Equal("resource_missing", again.Body["error"]!.Str("code"));
    }

    [Fact]
    public async Task Several_periods_in_one_advance_renew_once_per_period_in_time_order()
    {
        var subscriptionId = (await Flows.SubscribeAsync(Stripe, "price_basic_monthly")).Str("subscription");
        await emulator.Receiver.WaitForTypesAsync("invoice.payment_succeeded");
        emulator.Receiver.Clear();

        await Flows.AdvanceAsync(Stripe, TimeSpan.FromDays(95));
        var deliveries = await emulator.Receiver.WaitForAsync(d => d.Count(x => x.Type == "invoice.paid") >= 3);

        var invoices = (await Stripe.GetAsync($"/v1/invoices?subscription={subscriptionId}&status=paid")).EnsureOk().Body.Data();
        Assert.Equal(4, invoices.Count);
        var paidPeriods = deliveries.Where(d => d.Type == "invoice.paid").Select(d => d.DataObject["lines"]!.Data()[0]!["period"]!.Number("start")).ToList();
        Assert.Equal(paidPeriods.Order(), paidPeriods);
        Assert.Equal(3, paidPeriods.Distinct().Count());
    }

    [Fact]
    public async Task A_subscription_anchored_on_the_31st_renews_on_each_months_last_day_and_keeps_its_anchor_day()
    {
        // Stripe: "a billing cycle anchor date of January 31 bills the last day of the month closest to the anchor date,
        // so February 28 (or February 29 in a leap year), then March 31, April 30" (docs.stripe.com/billing/subscriptions/billing-cycle).
        var now = DateTimeOffset.FromUnixTimeSeconds((await Stripe.ControlGetAsync("/_emulator/clock")).EnsureOk().Body.Number("now"));
        var year = now < new DateTimeOffset(now.Year, 1, 31, 0, 0, 0, TimeSpan.Zero) ? now.Year : now.Year + 1;
        var anchor = new DateTimeOffset(year, 1, 31, 9, 30, 0, TimeSpan.Zero);
        (await Flows.AdvanceToAsync(Stripe, anchor.ToUnixTimeSeconds())).EnsureOk();
        var subscriptionId = (await Flows.SubscribeAsync(Stripe, "price_basic_monthly")).Str("subscription");
        var start = (await Flows.GetSubscriptionAsync(Stripe, subscriptionId)).Item().Number("current_period_start");
        Assert.InRange(start - anchor.ToUnixTimeSeconds(), 0, 59); // real time runs on while the test does
        var at = DateTimeOffset.FromUnixTimeSeconds(start);

        var ends = new List<long>();
        for (var month = 1; month <= 4; month++)
        {
            var end = (await Flows.GetSubscriptionAsync(Stripe, subscriptionId)).Item().Number("current_period_end");
            ends.Add(end);
            (await Flows.AdvanceToAsync(Stripe, end + 60)).EnsureOk();
        }

        var lastDay = (int m) => DateTime.DaysInMonth(year, m);
        Assert.Equal(
            [
                new DateTimeOffset(year, 2, lastDay(2), at.Hour, at.Minute, at.Second, TimeSpan.Zero).ToUnixTimeSeconds(),
                new DateTimeOffset(year, 3, 31, at.Hour, at.Minute, at.Second, TimeSpan.Zero).ToUnixTimeSeconds(),
                new DateTimeOffset(year, 4, 30, at.Hour, at.Minute, at.Second, TimeSpan.Zero).ToUnixTimeSeconds(),
                new DateTimeOffset(year, 5, 31, at.Hour, at.Minute, at.Second, TimeSpan.Zero).ToUnixTimeSeconds(),
            ],
            ends);
        var renewed = await Flows.GetSubscriptionAsync(Stripe, subscriptionId);
        Assert.Equal(ends[^1], renewed.Item().Number("current_period_start"));
        Assert.Equal(start, renewed.Number("billing_cycle_anchor"));
    }

    [Fact]
    public async Task The_clock_can_be_read_and_only_moves_forward()
    {
        var now = (await Stripe.ControlGetAsync("/_emulator/clock")).EnsureOk().Body;
        var advanced = (await Flows.AdvanceAsync(Stripe, TimeSpan.FromHours(2))).EnsureOk().Body;
        var backwards = await Flows.AdvanceToAsync(Stripe, now.Number("now") - 10);

        Assert.InRange(advanced.Number("now") - now.Number("now"), 7200, 7260);
        Assert.Equal(7200, advanced.Number("offset_seconds"));
        Assert.Equal(HttpStatusCode.BadRequest, backwards.Status);
        var customer = (await Stripe.PostAsync("/v1/customers", ("email", "later@example.com"))).EnsureOk().Body;
        Assert.True(customer.Number("created") >= advanced.Number("now"));
    }

    [Fact]
    public async Task A_failed_invoice_can_be_paid_on_its_hosted_page()
    {
        var completed = await Flows.SubscribeAsync(Stripe, "price_basic_monthly");
        (await Stripe.ControlAsync($"/_emulator/customers/{completed.Str("customer")}/payment_method", ("behavior", "failing"))).EnsureOk();
        await Flows.AdvanceAsync(Stripe, TimeSpan.FromDays(32));
        var subscription = await Flows.GetSubscriptionAsync(Stripe, completed.Str("subscription"));
        var invoice = (await Stripe.GetAsync($"/v1/invoices/{subscription.Str("latest_invoice")}")).EnsureOk().Body;
        Assert.Equal("open", invoice.Str("status"));

        var path = new Uri(invoice.Str("hosted_invoice_url")).PathAndQuery;
        var page = await Stripe.Http.GetStringAsync(path);
        using var pay = await Stripe.Http.PostAsync(path, new FormUrlEncodedContent([KeyValuePair.Create("payment_method", "succeeding")]));

        Assert.Contains("$19.00", page);
        Assert.Equal(HttpStatusCode.OK, pay.StatusCode);
        Assert.Equal("paid", (await Stripe.GetAsync($"/v1/invoices/{invoice.Str("id")}")).EnsureOk().Body.Str("status"));
        Assert.Equal("active", (await Flows.GetSubscriptionAsync(Stripe, subscription.Str("id"))).Str("status"));
    }
}
