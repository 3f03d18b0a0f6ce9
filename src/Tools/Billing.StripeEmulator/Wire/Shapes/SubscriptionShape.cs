using System.Text.Json.Nodes;
using Billing.StripeEmulator.State;
using Billing.StripeEmulator.State.Objects;

namespace Billing.StripeEmulator.Wire.Shapes;

/// <summary>
/// A subscription at 2026-10-28.endive: the billing period lives on each item (with `billed_until` and
/// `current_trial`), not on the subscription; `status_details` is set only while paused (never, here: a paused
/// collection, `pause_collection`, leaves the status as it is).
/// </summary>
internal static class SubscriptionShape
{
    public static JsonObject ToJson(SubscriptionRecord subscription, EmulatorState state) => new()
    {
        ["id"] = subscription.Id,
        ["object"] = "subscription",
        ["application"] = null,
        ["application_fee_percent"] = null,
        ["automatic_tax"] = new JsonObject { ["disabled_reason"] = null, ["enabled"] = false, ["liability"] = null },
        ["billing_cycle_anchor"] = subscription.BillingCycleAnchor,
        ["billing_cycle_anchor_config"] = null,
        ["billing_mode"] = new JsonObject { ["flexible"] = null, ["type"] = "classic" },
        ["billing_schedules"] = StripeJson.EmptyArray(),
        ["billing_thresholds"] = null,
        ["cancel_at"] = subscription.CancelAt,
        ["cancel_at_period_end"] = subscription.CancelAtPeriodEnd,
        ["canceled_at"] = subscription.CanceledAt,
        ["cancellation_details"] = new JsonObject
        {
            ["comment"] = subscription.CancellationComment,
            ["feedback"] = subscription.CancellationFeedback,
            ["reason"] = subscription.CancellationReason,
        },
        ["collection_method"] = subscription.CollectionMethod,
        ["created"] = subscription.Created,
        ["currency"] = subscription.Currency,
        ["customer"] = subscription.CustomerId,
        ["customer_account"] = null,
        ["days_until_due"] = subscription.DaysUntilDue,
        ["default_payment_method"] = subscription.DefaultPaymentMethod,
        ["default_source"] = null,
        ["default_tax_rates"] = StripeJson.EmptyArray(),
        ["description"] = subscription.Description,
        ["discounts"] = StripeJson.EmptyArray(),
        ["ended_at"] = subscription.EndedAt,
        ["invoice_settings"] = new JsonObject { ["account_tax_ids"] = null, ["issuer"] = new JsonObject { ["type"] = "self" } },
        ["items"] = StripeJson.List(
            $"/v1/subscription_items?subscription={subscription.Id}",
            subscription.Items.Select(item => ItemToJson(item, subscription, state)),
            hasMore: false),
        ["latest_invoice"] = subscription.LatestInvoiceId,
        ["livemode"] = false,
        ["managed_payments"] = new JsonObject { ["enabled"] = false },
        ["metadata"] = StripeJson.Metadata(subscription.Metadata),
        ["next_pending_invoice_item_invoice"] = null,
        ["on_behalf_of"] = null,
        ["pause_collection"] = subscription.PauseBehavior is null
            ? null
            : new JsonObject { ["behavior"] = subscription.PauseBehavior, ["resumes_at"] = subscription.PauseResumesAt },
        ["payment_settings"] = new JsonObject
        {
            ["payment_method_options"] = null,
            ["payment_method_types"] = null,
            ["save_default_payment_method"] = "off",
        },
        ["pending_invoice_item_interval"] = null,
        ["pending_setup_intent"] = null,
        ["pending_update"] = null,
        ["schedule"] = null,
        ["start_date"] = subscription.StartDate,
        ["status"] = subscription.Status,
        ["status_details"] = null,
        ["test_clock"] = null,
        ["transfer_data"] = null,
        ["trial_end"] = subscription.TrialEnd,
        ["trial_settings"] = new JsonObject
        {
            ["end_behavior"] = new JsonObject { ["missing_payment_method"] = "create_invoice" },
        },
        ["trial_start"] = subscription.TrialStart,
    };

    public static JsonObject ItemToJson(SubscriptionItemRecord item, SubscriptionRecord subscription, EmulatorState state)
    {
        var price = state.Prices[item.PriceId];
        return new JsonObject
        {
            ["id"] = item.Id,
            ["object"] = "subscription_item",
            ["billed_until"] = subscription.CurrentPeriodEnd,
            ["billing_thresholds"] = null,
            ["created"] = item.Created,
            ["current_period_end"] = subscription.CurrentPeriodEnd,
            ["current_period_start"] = subscription.CurrentPeriodStart,
            ["current_trial"] = null,
            ["discounts"] = StripeJson.EmptyArray(),
            ["metadata"] = StripeJson.Metadata(item.Metadata),
            ["plan"] = PriceShape.ToPlanJson(price),
            ["price"] = PriceShape.ToJson(price),
            ["quantity"] = item.Quantity,
            ["subscription"] = subscription.Id,
            ["tax_rates"] = StripeJson.EmptyArray(),
        };
    }
}
