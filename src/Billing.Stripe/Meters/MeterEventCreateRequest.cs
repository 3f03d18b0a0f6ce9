using System.Globalization;

namespace Billing.Stripe.Meters;

/// <summary><c>POST /v1/billing/meter_events</c>: report usage to a billing meter.</summary>
public sealed record MeterEventCreateRequest
{
    /// <summary>The meter's <c>event_name</c>.</summary>
    public required string EventName { get; init; }

    /// <summary>String values; by default the meter reads <c>stripe_customer_id</c> and <c>value</c>.</summary>
    public required IReadOnlyDictionary<string, string> Payload { get; init; }

    /// <summary>Unique per event (max 100 chars); Stripe de-duplicates on it. Derive it from your usage record.</summary>
    public string? Identifier { get; init; }

    /// <summary>When the usage happened (within the past 35 days, not more than 5 minutes ahead); now by default.</summary>
    public DateTimeOffset? Timestamp { get; init; }

    /// <summary>The usual shape: <c>payload[stripe_customer_id]</c> and an integer <c>payload[value]</c>.</summary>
    public static MeterEventCreateRequest ForCustomer(string eventName, string customerId, long value, string? identifier = null, DateTimeOffset? timestamp = null) =>
        new()
        {
            EventName = eventName,
            Payload = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [MeterEventPayloadKeys.StripeCustomerId] = customerId,
                [MeterEventPayloadKeys.Value] = value.ToString(CultureInfo.InvariantCulture),
            },
            Identifier = identifier,
            Timestamp = timestamp,
        };
}
