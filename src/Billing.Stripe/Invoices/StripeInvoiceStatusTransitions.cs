namespace Billing.Stripe.Invoices;

/// <summary>When an invoice changed status.</summary>
public sealed record StripeInvoiceStatusTransitions
{
    public DateTimeOffset? FinalizedAt { get; init; }

    public DateTimeOffset? PaidAt { get; init; }

    public DateTimeOffset? VoidedAt { get; init; }

    public DateTimeOffset? MarkedUncollectibleAt { get; init; }
}
