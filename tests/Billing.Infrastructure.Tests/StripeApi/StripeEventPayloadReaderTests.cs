using Billing.Application.StripeEvents;
using Billing.Infrastructure.StripeApi;

namespace Billing.Infrastructure.Tests.StripeApi;

/// <summary>Stored webhook bodies (dahlia shape, as the emulator sends them today, and endive) read into the processor's facts.</summary>
public sealed class StripeEventPayloadReaderTests
{
    private readonly StripeEventPayloadReader _reader = new();

    [Fact]
    public void Reads_a_subscription_event_with_its_customer_and_account_metadata()
    {
        var payload = _reader.Read(Event("customer.subscription.updated", """
            {"id":"sub_1","object":"subscription","customer":"cus_1","status":"past_due","metadata":{"account_id":"user-1"},
             "items":{"object":"list","data":[{"id":"si_1","object":"subscription_item","price":{"id":"price_pro_monthly","object":"price"},"current_period_start":1750000000,"current_period_end":1752592000}]}}
            """));

        Assert.Equal("evt_test", payload.Id);
        Assert.Equal("customer.subscription.updated", payload.Type);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_750_000_100), payload.Created);
        Assert.Equal(("subscription", "sub_1", "cus_1", "sub_1", "user-1"), (payload.ObjectType, payload.ObjectId, payload.CustomerId, payload.SubscriptionId, payload.AccountReference));
    }

    [Fact]
    public void Reads_an_invoice_event_with_the_subscription_from_its_parent()
    {
        var payload = _reader.Read(Event("invoice.payment_failed", """
            {"id":"in_1","object":"invoice","customer":"cus_2","status":"open","billing_reason":"subscription_cycle",
             "parent":{"type":"subscription_details","subscription_details":{"subscription":"sub_2","metadata":{"account_id":"user-2"}}}}
            """));

        Assert.Equal(("invoice", "in_1", "cus_2", "sub_2", "user-2", "subscription_cycle"), (payload.ObjectType, payload.ObjectId, payload.CustomerId, payload.SubscriptionId, payload.AccountReference, payload.BillingReason));
    }

    [Fact]
    public void Reads_the_run_a_usage_invoice_names_in_its_billing_run_metadata()
    {
        var usage = _reader.Read(Event("invoice.voided", """
            {"id":"in_3","object":"invoice","customer":"cus_3","status":"void","billing_reason":"manual",
             "metadata":{"billing_run":"user-3:month-2026-11","account_id":"user-3"}}
            """));
        var other = _reader.Read(Event("invoice.paid", """
            {"id":"in_4","object":"invoice","customer":"cus_4","status":"paid","billing_reason":"manual","metadata":{"billing_run":" "}}
            """));

        // A usage invoice has no subscription parent: its own metadata names the account.
        Assert.Equal(("in_3", "manual", "user-3:month-2026-11", "user-3"), (usage.ObjectId, usage.BillingReason, usage.BillingRun, usage.AccountReference));
        Assert.Null(other.BillingRun);
    }

    [Fact]
    public void Reads_a_checkout_session_preferring_the_client_reference_id()
    {
        var subscriptionMode = _reader.Read(Event("checkout.session.completed", """
            {"id":"cs_1","object":"checkout.session","mode":"subscription","payment_status":"paid","customer":"cus_3","subscription":"sub_3",
             "client_reference_id":"user-3","metadata":{"account_id":"other"}}
            """));
        var paymentMode = _reader.Read(Event("checkout.session.completed", """
            {"id":"cs_2","object":"checkout.session","mode":"payment","payment_status":"paid","customer":null,"subscription":null,
             "payment_intent":"pi_1","amount_total":1000,"currency":"usd","client_reference_id":null,"metadata":{"account_id":"user-4"}}
            """));

        var blankReference = _reader.Read(Event("checkout.session.completed", """
            {"id":"cs_3","object":"checkout.session","mode":"subscription","payment_status":"paid","customer":"cus_5","subscription":"sub_5",
             "client_reference_id":" ","metadata":{"account_id":"user-5"}}
            """));

        Assert.Equal("user-5", blankReference.AccountReference);
        Assert.Equal(("subscription", "cus_3", "sub_3", "user-3"), (subscriptionMode.CheckoutMode, subscriptionMode.CustomerId, subscriptionMode.SubscriptionId, subscriptionMode.AccountReference));
        Assert.Equal(("payment", null, "pi_1", 1000L, "usd", "user-4"), (paymentMode.CheckoutMode, paymentMode.CustomerId, paymentMode.PaymentIntentId, paymentMode.AmountTotal, paymentMode.Currency, paymentMode.AccountReference));
    }

    [Fact]
    public void Reads_a_deleted_customer_and_objects_of_other_types_by_id()
    {
        var deleted = _reader.Read(Event("customer.deleted", """{"id":"cus_5","object":"customer","deleted":true,"metadata":{"account_id":"user-5"}}"""));
        var other = _reader.Read(Event("product.updated", """{"id":"prod_1","object":"product","name":"x"}"""));

        Assert.Equal(("customer", "cus_5", "user-5"), (deleted.ObjectType, deleted.CustomerId, deleted.AccountReference));
        Assert.Equal(("product", "prod_1", null), (other.ObjectType, other.ObjectId, other.CustomerId));
    }

    [Fact]
    public void Reads_what_a_one_off_purchase_sells_from_the_session_metadata()
    {
        var payload = _reader.Read(Event("checkout.session.async_payment_succeeded", """
            {"id":"cs_9","object":"checkout.session","mode":"payment","payment_status":"paid","customer":"cus_9","payment_intent":"pi_9",
             "client_reference_id":"user-9","metadata":{"account_id":"user-9","purchase":"credit_pack","purchase_code":"CREDITS_10",
             "grant_credit":"1000","grant_currency":"usd","grant_expires_after":"30.00:00:00","purchase_amount":"900","purchase_currency":"usd"}}
            """));
        var edited = _reader.Read(Event("checkout.session.completed", """
            {"id":"cs_10","object":"checkout.session","mode":"payment","payment_status":"paid","customer":"cus_9","payment_intent":"pi_10",
             "client_reference_id":"user-9","metadata":{"account_id":"user-9","purchase":"credit_pack","purchase_code":"CREDITS_10",
             "grant_credit":"10.00","grant_currency":"usd"}}
            """));

        Assert.Equal(("credit_pack", "CREDITS_10", "pi_9", "paid"), (payload.Purchase?.Kind, payload.Purchase?.Code, payload.PaymentIntentId, payload.PaymentStatus));
        Assert.Equal((1_000L, "usd", TimeSpan.FromDays(30)), (payload.Purchase!.Credit!.Value.MinorUnits, payload.Purchase.Credit.Value.Currency.Code, payload.Purchase.ExpiresAfter));
        Assert.Equal((900L, "usd", (string?)null), (payload.Purchase.Price!.Value.MinorUnits, payload.Purchase.Price.Value.Currency.Code, payload.Purchase.Unreadable));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_750_000_100), payload.Created); // the payment's time, from which a lifetime counts
        Assert.Equal((false, "grant_credit, grant_currency"), (edited.Purchase!.IsFrozen, edited.Purchase.Unreadable));
    }

    [Fact]
    public void Reads_a_refunded_charge_a_closed_dispute_and_a_failed_refund_with_their_payment_intent()
    {
        var failed = _reader.Read(Event("refund.failed", """
            {"id":"re_1","object":"refund","amount":1000,"charge":"ch_1","currency":"usd","payment_intent":"pi_1","status":"failed",
             "failure_reason":"expired_or_canceled_card","metadata":{}}
            """));
        var refunded = _reader.Read(Event("charge.refunded", """
            {"id":"ch_1","object":"charge","amount":1000,"amount_refunded":1000,"currency":"usd","customer":"cus_1","payment_intent":"pi_1","refunded":true,"status":"succeeded"}
            """));
        var dispute = _reader.Read(Event("charge.dispute.closed", """
            {"id":"du_1","object":"dispute","amount":1000,"charge":"ch_1","currency":"usd","payment_intent":"pi_1","reason":"fraudulent","status":"lost",
             "balance_transactions":[],"evidence":{},"evidence_details":{"due_by":1750600000,"has_evidence":false,"past_due":false,"submission_count":0},
             "is_charge_refundable":false,"livemode":false,"metadata":{}}
            """));

        Assert.Equal(("charge", "ch_1", "cus_1", "pi_1", "ch_1"), (refunded.ObjectType, refunded.ObjectId, refunded.CustomerId, refunded.PaymentIntentId, refunded.ChargeId));
        Assert.Equal(("dispute", "du_1", null, "pi_1", "ch_1", "lost"), (dispute.ObjectType, dispute.ObjectId, dispute.CustomerId, dispute.PaymentIntentId, dispute.ChargeId, dispute.ObjectStatus));
        Assert.Equal(("refund", "re_1", null, "pi_1", "ch_1", "failed"), (failed.ObjectType, failed.ObjectId, failed.CustomerId, failed.PaymentIntentId, failed.ChargeId, failed.ObjectStatus));
    }

    [Theory]
    [InlineData("{")]
    [InlineData("""{"id":"evt_1","object":"event","type":"customer.subscription.updated","created":1,"data":{"object":{"object":"subscription","id":42}}}""")]
    [InlineData("""{"id":"evt_1","object":"event","type":"customer.created","created":1,"data":{"object":{"object":"customer","id":"cus_\uD800"}}}""")] // stored before the receiver refused it
    public void An_unreadable_payload_is_reported_as_malformed(string body)
    {
        Assert.Throws<MalformedStripeEventException>(() => _reader.Read(body));
    }

    [Theory]
    [InlineData("""{"object":"event","type":"invoice.paid","created":1,"data":{"object":{"id":"in_1","object":"invoice"}}}""")]
    [InlineData("""{"id":"","object":"event","type":"invoice.paid","created":1,"data":{"object":{"id":"in_1","object":"invoice"}}}""")]
    [InlineData("""{"id":"evt_1","object":"event","created":1,"data":{"object":{"id":"in_1","object":"invoice"}}}""")]
    [InlineData("""{"id":"evt_1","object":"event","type":"","created":1,"data":{"object":{"id":"in_1","object":"invoice"}}}""")]
    public void An_event_without_an_id_or_a_type_is_refused_as_malformed(string body)
    {
        var failure = Assert.Throws<MalformedStripeEventException>(() => _reader.Read(body));

        Assert.Equal("The payload has no event id or type.", failure.Message);
    }

    [Theory]
    [InlineData("2026-10-28.endive")]
    [InlineData("2019-02-19")]
    [InlineData(null)]
    public void Events_of_any_api_version_are_read(string? apiVersion)
    {
        var payload = _reader.Read(Event("customer.subscription.deleted", """{"id":"sub_9","object":"subscription","customer":"cus_9","status":"canceled"}""", apiVersion));

        Assert.Equal(("sub_9", "cus_9"), (payload.SubscriptionId, payload.CustomerId));
    }

    [Theory]
    [InlineData("2024-06-20", "\"subscription\":\"sub_7\"")]
    [InlineData("2024-06-20", "\"subscription\":{\"id\":\"sub_7\",\"object\":\"subscription\"}")]
    [InlineData("2026-10-28.endive", "\"parent\":{\"type\":\"subscription_details\",\"subscription_details\":{\"subscription\":\"sub_7\",\"metadata\":{}}}")]
    public void An_invoice_names_its_subscription_in_the_shape_of_any_api_version(string apiVersion, string subscriptionField)
    {
        var payload = _reader.Read(Event("invoice.payment_failed", $$"""{"id":"in_7","object":"invoice","customer":"cus_7",{{subscriptionField}}}""", apiVersion));

        Assert.Equal(("in_7", "sub_7", "cus_7"), (payload.ObjectId, payload.SubscriptionId, payload.CustomerId));
    }

    [Fact]
    public void An_invoice_of_no_subscription_names_none() =>
        Assert.Null(_reader.Read(Event("invoice.paid", """{"id":"in_8","object":"invoice","customer":"cus_8","subscription":null}""", "2024-06-20")).SubscriptionId);

    [Fact]
    public void The_malformed_message_never_quotes_the_payload()
    {
        var failure = Assert.Throws<MalformedStripeEventException>(() => _reader.Read("""{"id":"evt_1","object":"event","type":"x","created":"sk_live_marker"""));

        Assert.DoesNotContain("sk_live_marker", failure.Message, StringComparison.Ordinal);
    }

    private static string Event(string type, string dataObject, string? apiVersion = "2026-07-29.dahlia") =>
        $$$"""{"id":"evt_test","object":"event","api_version":{{{(apiVersion is null ? "null" : $"\"{apiVersion}\"")}}},"created":1750000100,"livemode":false,"type":"{{{type}}}","data":{"object":{{{dataObject}}}}}""";
}
