namespace Billing.StripeEmulator.State.Objects;

/// <summary>An object that belongs to one charge (a refund, a dispute): listed by `charge` or `payment_intent`.</summary>
internal interface IChargeObject
{
    string ChargeId { get; }

    string PaymentIntentId { get; }
}
