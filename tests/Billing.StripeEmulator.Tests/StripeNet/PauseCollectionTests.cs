using System.Globalization;
using System.Net;
using Billing.StripeEmulator.Tests.StripeNet.Support;
using Newtonsoft.Json.Linq;
using Stripe;

namespace Billing.StripeEmulator.Tests.StripeNet;

/// <summary>
/// Pausing payment collection (`pause_collection`) through Stripe.net: the subscription stays `active` and keeps
/// making invoices, which Stripe leaves as drafts, marks uncollectible or voids, until the pause is cleared or its
/// `resumes_at` passes.
/// </summary>
[Collection(SharedStripeNetEmulator.Name)]
public sealed class PauseCollectionTests(StripeNetFixture fixture) : IAsyncLifetime
{
    private StripeClient Client => fixture.Client;

    public Task InitializeAsync() => fixture.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    [Covers("SubscriptionService.UpdateAsync")]
    public async Task A_pause_is_shown_on_the_subscription_which_stays_active_and_announced_with_its_previous_value()
    {
        var subscription = await SubscribeAsync();
        var resumesAt = subscription.Items.Data[0].CurrentPeriodEnd.AddDays(10);

        var paused = await Client.V1.Subscriptions.UpdateAsync(subscription.Id, Pause("keep_as_draft", resumesAt));
        var changed = await Client.V1.Subscriptions.UpdateAsync(subscription.Id, Pause("void"));
        var fetched = await Client.V1.Subscriptions.GetAsync(subscription.Id);
        var updates = await UpdatedEventsAsync();

        Assert.Equal(("keep_as_draft", resumesAt), (paused.PauseCollection.Behavior, paused.PauseCollection.ResumesAt));
        Assert.Equal("active", paused.Status);
        Assert.Null(paused.StatusDetails);
        Assert.Equal("void", changed.PauseCollection.Behavior);
        Assert.Null(changed.PauseCollection.ResumesAt);
        Assert.Equal("void", fetched.PauseCollection.Behavior);
        Assert.Equal(2, updates.Count);
        Assert.Equal(JTokenType.Null, updates[1].Data.PreviousAttributes["pause_collection"]!.Type);
        Assert.Equal("keep_as_draft", (string?)updates[0].Data.PreviousAttributes["pause_collection"]!["behavior"]);
        Assert.Equal(Unix(resumesAt), (long?)updates[0].Data.PreviousAttributes["pause_collection"]!["resumes_at"]);
        Assert.Equal("void", Assert.IsType<Subscription>(updates[0].Data.Object).PauseCollection.Behavior);
    }

    [Fact]
    [Covers("SubscriptionService.UpdateAsync")]
    public async Task An_empty_pause_collection_clears_the_pause()
    {
        var subscription = await SubscribeAsync();
        await Client.V1.Subscriptions.UpdateAsync(subscription.Id, Pause("mark_uncollectible"));

        // Stripe.net sends nothing for a null PauseCollection; clearing is the empty string, as an extra parameter.
        var clear = new SubscriptionUpdateOptions();
        clear.AddExtraParam("pause_collection", string.Empty);
        var resumed = await Client.V1.Subscriptions.UpdateAsync(subscription.Id, clear);
        var updates = await UpdatedEventsAsync();

        Assert.Null(resumed.PauseCollection);
        Assert.Null((await Client.V1.Subscriptions.GetAsync(subscription.Id)).PauseCollection);
        Assert.Equal(2, updates.Count);
        Assert.Null(Assert.IsType<Subscription>(updates[0].Data.Object).PauseCollection);
        Assert.Equal("mark_uncollectible", (string?)updates[0].Data.PreviousAttributes["pause_collection"]!["behavior"]);
    }

    [Fact]
    [Covers("SubscriptionService.UpdateAsync")]
    public async Task A_bad_behavior_a_past_resume_date_or_no_behavior_is_a_400_naming_the_parameter_and_changes_nothing()
    {
        var subscription = await SubscribeAsync();

        var badBehavior = await Assert.ThrowsAsync<StripeException>(() => Client.V1.Subscriptions.UpdateAsync(subscription.Id, Pause("forever")));
        var past = await Assert.ThrowsAsync<StripeException>(() => Client.V1.Subscriptions.UpdateAsync(subscription.Id, Pause("void", subscription.Created.AddDays(-1))));
        var noBehavior = await Assert.ThrowsAsync<StripeException>(() => Client.V1.Subscriptions.UpdateAsync(subscription.Id, new SubscriptionUpdateOptions
        {
            PauseCollection = new SubscriptionPauseCollectionOptions { ResumesAt = subscription.Items.Data[0].CurrentPeriodEnd },
        }));

        Assert.All([badBehavior, past, noBehavior], e => Assert.Equal((HttpStatusCode.BadRequest, "invalid_request_error"), (e.HttpStatusCode, e.StripeError.Type)));
        Assert.Equal("pause_collection[behavior]", badBehavior.StripeError.Param);
        Assert.Equal("pause_collection[resumes_at]", past.StripeError.Param);
        Assert.Equal(("pause_collection[behavior]", "parameter_missing"), (noBehavior.StripeError.Param, noBehavior.StripeError.Code));
        Assert.Null((await Client.V1.Subscriptions.GetAsync(subscription.Id)).PauseCollection);
        Assert.Empty(await UpdatedEventsAsync());
    }

    [Theory]
    [InlineData("keep_as_draft", "draft", new[] { "invoice.created" })]
    [InlineData("mark_uncollectible", "uncollectible", new[] { "invoice.created", "invoice.finalized", "invoice.marked_uncollectible" })]
    [InlineData("void", "void", new[] { "invoice.created", "invoice.finalized", "invoice.voided" })]
    public async Task A_renewal_while_paused_makes_an_invoice_that_follows_the_behavior_is_never_charged_and_leaves_the_subscription_active(
        string behavior, string status, string[] invoiceEvents)
    {
        var subscription = await SubscribeAsync();
        await fixture.Emulator.ControlAsync($"/_emulator/customers/{subscription.CustomerId}/payment_method", new Dictionary<string, string> { ["behavior"] = "failing" });
        await Client.V1.Subscriptions.UpdateAsync(subscription.Id, Pause(behavior));

        // Two hours on: past the hour after which an auto-advancing draft is finalized and an open invoice charged.
        await AdvanceToAsync(subscription.Items.Data[0].CurrentPeriodEnd.AddHours(2));
        var renewed = await Client.V1.Subscriptions.GetAsync(subscription.Id, new SubscriptionGetOptions { Expand = ["latest_invoice"] });
        var invoice = renewed.LatestInvoice;

        Assert.Equal("active", renewed.Status);
        Assert.Equal(subscription.Items.Data[0].CurrentPeriodEnd, renewed.Items.Data[0].CurrentPeriodStart);
        Assert.Equal(behavior, renewed.PauseCollection.Behavior);
        Assert.Equal(("subscription_cycle", status, 4900L), (invoice.BillingReason, invoice.Status, invoice.AmountDue));
        Assert.Equal((0L, false, false), (invoice.AttemptCount, invoice.Attempted, invoice.AutoAdvance));
        Assert.Equal(status == "uncollectible" ? "subscription_paused" : null, invoice.StatusDetails?.Uncollectible.Reason);
        Assert.Equal(invoiceEvents, await EventsOfAsync(invoice.Id));
        Assert.DoesNotContain(await UpdatedEventsAsync(), e => ((Subscription)e.Data.Object).Status != "active");
    }

    [Fact]
    [Covers("SubscriptionService.UpdateAsync")]
    public async Task A_change_invoiced_at_once_in_the_request_that_pauses_is_kept_as_a_draft()
    {
        var subscription = await SubscribeAsync();
        await AdvanceToAsync(subscription.Items.Data[0].CurrentPeriodStart.AddDays(10));

        var options = Pause("keep_as_draft");
        options.Items = [new SubscriptionItemOptions { Id = subscription.Items.Data[0].Id, Price = "price_enterprise_monthly" }];
        options.ProrationBehavior = "always_invoice";
        var changed = await Client.V1.Subscriptions.UpdateAsync(subscription.Id, options);
        await AdvanceToAsync(subscription.Items.Data[0].CurrentPeriodStart.AddDays(11));
        var invoice = await Client.V1.Invoices.GetAsync(changed.LatestInvoiceId);

        Assert.Equal("active", changed.Status);
        Assert.Equal(("subscription_update", "draft", false), (invoice.BillingReason, invoice.Status, invoice.AutoAdvance));
        Assert.True(invoice.AmountDue > 0, $"amount due {invoice.AmountDue}");
        Assert.Equal(["invoice.created"], await EventsOfAsync(invoice.Id));
    }

    [Fact]
    public async Task Collection_resumes_by_itself_at_resumes_at_and_the_next_renewal_is_charged()
    {
        var subscription = await SubscribeAsync();
        var firstEnd = subscription.Items.Data[0].CurrentPeriodEnd;
        var resumesAt = firstEnd.AddDays(5);
        await Client.V1.Subscriptions.UpdateAsync(subscription.Id, Pause("mark_uncollectible", resumesAt));

        await AdvanceToAsync(resumesAt.AddSeconds(-1));
        var stillPaused = await Client.V1.Subscriptions.GetAsync(subscription.Id, new SubscriptionGetOptions { Expand = ["latest_invoice"] });
        await AdvanceToAsync(resumesAt.AddSeconds(1));
        var resumed = await Client.V1.Subscriptions.GetAsync(subscription.Id);
        var resumption = (await UpdatedEventsAsync())[0];
        await AdvanceToAsync(resumed.Items.Data[0].CurrentPeriodEnd.AddMinutes(1));
        var next = await Client.V1.Subscriptions.GetAsync(subscription.Id, new SubscriptionGetOptions { Expand = ["latest_invoice"] });

        Assert.Equal("mark_uncollectible", stillPaused.PauseCollection.Behavior);
        Assert.Equal("uncollectible", stillPaused.LatestInvoice.Status);
        Assert.Null(resumed.PauseCollection);
        Assert.Equal(resumesAt, resumption.Created);
        Assert.Null(Assert.IsType<Subscription>(resumption.Data.Object).PauseCollection);
        Assert.Equal("mark_uncollectible", (string?)resumption.Data.PreviousAttributes["pause_collection"]!["behavior"]);
        Assert.Equal(Unix(resumesAt), (long?)resumption.Data.PreviousAttributes["pause_collection"]!["resumes_at"]);
        Assert.Equal(("active", "paid"), (next.Status, next.LatestInvoice.Status));
        Assert.NotEqual(stillPaused.LatestInvoiceId, next.LatestInvoiceId);
    }

    [Fact]
    public async Task A_renewal_at_the_second_collection_resumes_is_charged()
    {
        var subscription = await SubscribeAsync();
        var periodEnd = subscription.Items.Data[0].CurrentPeriodEnd;
        await Client.V1.Subscriptions.UpdateAsync(subscription.Id, Pause("void", periodEnd));

        await AdvanceToAsync(periodEnd.AddMinutes(1));
        var renewed = await Client.V1.Subscriptions.GetAsync(subscription.Id, new SubscriptionGetOptions { Expand = ["latest_invoice"] });

        Assert.Null(renewed.PauseCollection);
        Assert.Equal(periodEnd, renewed.Items.Data[0].CurrentPeriodStart);
        Assert.Equal("paid", renewed.LatestInvoice.Status);
    }

    private static SubscriptionUpdateOptions Pause(string behavior, DateTime? resumesAt = null) => new()
    {
        PauseCollection = new SubscriptionPauseCollectionOptions { Behavior = behavior, ResumesAt = resumesAt },
    };

    private static long Unix(DateTime time) => new DateTimeOffset(time, TimeSpan.Zero).ToUnixTimeSeconds();

    private async Task<Subscription> SubscribeAsync()
    {
        var session = await Checkout.SubscribeAsync(Client, fixture.Emulator);
        return await Client.V1.Subscriptions.GetAsync(session.SubscriptionId);
    }

    /// <summary>The `customer.subscription.updated` events so far, newest first.</summary>
    private async Task<List<Event>> UpdatedEventsAsync() =>
        (await Client.V1.Events.ListAsync(new EventListOptions { Type = "customer.subscription.updated" })).Data;

    /// <summary>The types of the events about one invoice, oldest first.</summary>
    private async Task<string[]> EventsOfAsync(string invoiceId)
    {
        var events = await Client.V1.Events.ListAsync(new EventListOptions { Type = "invoice.*", Limit = 100 });
        return [.. events.Data.Where(e => ((Invoice)e.Data.Object).Id == invoiceId).Reverse().Select(e => e.Type)];
    }

    private Task AdvanceToAsync(DateTime time) =>
        fixture.Emulator.ControlAsync("/_emulator/clock/advance", new Dictionary<string, string> { ["to"] = Unix(time).ToString(CultureInfo.InvariantCulture) });
}
