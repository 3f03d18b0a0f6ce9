using System.Diagnostics.CodeAnalysis;
using Billing.Stripe.Events;

namespace Billing.Stripe.Webhooks;

/// <summary>Outcome of verifying and parsing a webhook request: the event, or why it was rejected.</summary>
public sealed record WebhookEventResult
{
    public required WebhookVerificationFailure Failure { get; init; }

    public StripeEvent? Event { get; init; }

    public DateTimeOffset? Timestamp { get; init; }

    [MemberNotNullWhen(true, nameof(Event))]
    public bool IsValid => Failure == WebhookVerificationFailure.None && Event is not null;

    public string Reason => WebhookFailureReasons.Describe(Failure);
}
