using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Billing.TestSupport;

namespace Billing.Benchmarks.Events;

/// <summary>
/// Webhook bodies as Stripe sends them (UTF-8 JSON, two-space indented): built from Stripe's own example objects in
/// <c>../shared/stripe/fixtures3.json</c> when that folder is present (read at run time, never copied into the repo),
/// from <see cref="SyntheticObjects"/> otherwise. Each call makes a distinct event (its own <c>evt_</c> id).
/// </summary>
public sealed class StripeEventBodies
{
    private static readonly JsonSerializerOptions StripeFormatting = new() { WriteIndented = true };

    private readonly JsonObject _subscription;
    private readonly JsonObject _smallEvent;

    private StripeEventBodies(JsonObject subscription, JsonObject smallEvent, string source)
    {
        _subscription = subscription;
        _smallEvent = smallEvent;
        Source = source;
    }

    /// <summary>Where the objects come from: the fixtures file's path, or "synthetic (../shared absent)".</summary>
    public string Source { get; }

    public static StripeEventBodies Load()
    {
        if (RepoPaths.SharedStripeDir is { } shared && File.Exists(Path.Combine(shared, "fixtures3.json")))
        {
            var path = Path.Combine(shared, "fixtures3.json");
            var resources = JsonNode.Parse(File.ReadAllText(path))!["resources"]!;
            return new StripeEventBodies(
                resources["subscription"]!.AsObject(),
                resources["event"]!.AsObject(),
                "Stripe's example objects from fixtures3.json");
        }

        return new StripeEventBodies(
            JsonNode.Parse(SyntheticObjects.Subscription)!.AsObject(),
            JsonNode.Parse(SyntheticObjects.SmallEvent)!.AsObject(),
            "synthetic objects (../shared/stripe is absent)");
    }

    /// <summary>A new unique event id in Stripe's format.</summary>
    public static string NewEventId() => "evt_bench" + Guid.NewGuid().ToString("N")[..20];

    public byte[] Create(EventBody body, string eventId, DateTimeOffset created) => body switch
    {
        EventBody.Small => Small(eventId, created),
        EventBody.SubscriptionUpdated => SubscriptionUpdated(eventId, created),
        _ => throw new ArgumentOutOfRangeException(nameof(body), body, "Unknown event body."),
    };

    /// <summary><c>customer.subscription.updated</c> carrying the whole subscription and the changed field's previous value.</summary>
    public byte[] SubscriptionUpdated(string eventId, DateTimeOffset created)
    {
        var envelope = new JsonObject
        {
            ["id"] = eventId,
            ["object"] = "event",
            ["api_version"] = global::Stripe.StripeConfiguration.ApiVersion,
            ["created"] = created.ToUnixTimeSeconds(),
            ["data"] = new JsonObject
            {
                ["object"] = _subscription.DeepClone(),
                ["previous_attributes"] = new JsonObject { ["status"] = "trialing" },
            },
            ["livemode"] = false,
            ["pending_webhooks"] = 1,
            ["request"] = new JsonObject { ["id"] = "req_bench" + created.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture), ["idempotency_key"] = null },
            ["type"] = "customer.subscription.updated",
        };
        return JsonSerializer.SerializeToUtf8Bytes(envelope, StripeFormatting);
    }

    /// <summary>Stripe's small example event with a fresh id and creation time.</summary>
    public byte[] Small(string eventId, DateTimeOffset created)
    {
        var envelope = _smallEvent.DeepClone().AsObject();
        envelope["id"] = eventId;
        envelope["created"] = created.ToUnixTimeSeconds();
        return JsonSerializer.SerializeToUtf8Bytes(envelope, StripeFormatting);
    }
}
